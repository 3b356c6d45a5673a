package dev.switchboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;

/**
 * Short-lived tokens that let a browser's {@code EventSource}, which cannot send headers, read one stream. A token
 * carries its owner, key, scope and expiry, signed with HMAC-SHA256 by a secret kept in the database, so any
 * instance verifies what any instance minted. A token is accepted only where a route allows it, and only while the
 * key that minted it is ({@link ApiKeys#active}): revoking a key, or the end of its rotation overlap, ends its tokens.
 * The Realtime tokens and client secrets are tokens of this kind.
 */
public final class StreamTokens {
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final String SECRET_NAME = "stream_token_hmac";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final byte[] secret;
    private final ApiKeys keys;

    public StreamTokens(Jdbi jdbi, ApiKeys keys) {
        this.secret = GatewaySecrets.load(jdbi, SECRET_NAME);
        this.keys = keys;
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
        return "sbt_" + encoded + "." + ENCODER.encodeToString(sign(encoded));
    }

    /** Seconds since the epoch when a token minted now expires. */
    public long expiresAt() {
        return System.currentTimeMillis() / 1000 + LIFETIME.toSeconds();
    }

    /** The caller a token stands for, when it is genuine, not expired, and the key that minted it is still accepted. */
    Optional<Caller> verify(String token) {
        if (token == null || !token.startsWith("sbt_")) return Optional.empty();
        int dot = token.indexOf('.');
        if (dot < 0) return Optional.empty();
        String encoded = token.substring(4, dot);
        try {
            if (!MessageDigest.isEqual(sign(encoded), DECODER.decode(token.substring(dot + 1)))) return Optional.empty();
            JsonNode payload = Json.MAPPER.readTree(DECODER.decode(encoded));
            if (payload.path("e").asLong() < System.currentTimeMillis() / 1000) return Optional.empty();
            if (!keys.active(payload.path("k").asText())) return Optional.empty();
            return Optional.of(new Caller(payload.path("k").asText(), payload.path("n").asText(), payload.path("o").asText(),
                    false, payload.path("s").asText()));
        } catch (GatewayException keysUnverifiable) {
            throw keysUnverifiable;
        } catch (Exception malformed) {
            return Optional.empty();
        }
    }

    private byte[] sign(String encoded) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(encoded.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
