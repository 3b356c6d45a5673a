package dev.switchboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Short-lived tokens that let a browser's {@code EventSource}, which cannot send headers, read one stream, and that
 * open Realtime sessions (the gateway's Realtime tokens and client secrets). A token carries its owner, key, scope and
 * expiry and is a {@link KeyCredentials} credential: signed with a secret kept in the database, so any instance
 * verifies what any instance minted, and refused once the key that minted it is. A token is accepted only where a
 * route allows it.
 */
public final class StreamTokens {
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final String SECRET_NAME = "stream_token_hmac";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final KeyCredentials credentials;

    public StreamTokens(Jdbi jdbi, ApiKeys keys) {
        this.credentials = new KeyCredentials(jdbi, SECRET_NAME, keys);
    }

    /** A token for {@code scope}, valid for {@link #LIFETIME}. */
    public String issue(Caller caller, String scope) {
        return issue(caller, scope, expiresAt());
    }

    /** A token for {@code scope}, valid until {@code expires} (seconds since the epoch). */
    public String issue(Caller caller, String scope, long expires) {
        if (caller.scope() != null) {
            throw new GatewayException(403, "invalid_request_error", "key_required", null,
                    "A token cannot mint tokens; mint them with a gateway key.");
        }
        String payload = Json.write(Json.object().put("k", caller.keyId()).put("n", caller.keyName())
                .put("o", caller.owner()).put("s", scope).put("e", expires));
        String encoded = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return "sbt_" + encoded + "." + credentials.sign(caller.keyId(), expires, encoded);
    }

    /** Seconds since the epoch when a token minted now expires. */
    public long expiresAt() {
        return System.currentTimeMillis() / 1000 + LIFETIME.toSeconds();
    }

    /** The caller a token stands for, when it is genuine, not expired, and the key that minted it is still accepted. */
    public Optional<Caller> verify(String token) {
        if (token == null || !token.startsWith("sbt_")) return Optional.empty();
        int dot = token.indexOf('.');
        if (dot < 0) return Optional.empty();
        String encoded = token.substring(4, dot);
        JsonNode payload;
        try {
            payload = Json.MAPPER.readTree(DECODER.decode(encoded));
        } catch (Exception malformed) {
            return Optional.empty();
        }
        if (payload == null || !payload.path("k").isTextual() || !payload.path("e").canConvertToLong()) return Optional.empty();
        KeyCredentials.Check check = credentials.check(payload.path("k").asText(), payload.path("e").asLong(), encoded,
                token.substring(dot + 1));
        if (check != KeyCredentials.Check.VALID) return Optional.empty();
        return Optional.of(new Caller(payload.path("k").asText(), payload.path("n").asText(), payload.path("o").asText(),
                false, payload.path("s").asText()));
    }
}
