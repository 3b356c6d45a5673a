package dev.switchboard.emulator.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import io.javalin.http.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /v1/realtime/client_secrets}: ephemeral {@code ek_} keys that open one Realtime session with the
 * configuration they were minted with. Single use and short-lived, as clients meet them upstream.
 */
public final class ClientSecrets {
    static final int DEFAULT_SECONDS = 600;

    private record Minted(ObjectNode session, long expiresAt) {}

    private final Map<String, Minted> minted = new ConcurrentHashMap<>();

    void create(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        JsonNode expiresAfter = body.path("expires_after");
        int seconds = expiresAfter.path("seconds").asInt(DEFAULT_SECONDS);
        if (seconds < 10 || seconds > 7200) {
            ApiErrors.badRequest(ctx, "Invalid 'expires_after.seconds': " + seconds + ". Expected a value between 10 and 7200.");
            return;
        }
        JsonNode requested = body.path("session");
        if (!requested.isMissingNode() && !requested.path("type").asText("").equals("realtime")) {
            ApiErrors.badRequest(ctx, "Invalid 'session.type': the emulator mints secrets for 'realtime' sessions.");
            return;
        }
        String model = requested.path("model").asText("gpt-realtime");
        ObjectNode session = RealtimeSession.defaultConfig(model);
        if (requested.isObject()) RealtimeSession.merge(session, (ObjectNode) requested);
        long expiresAt = Ids.nowSeconds() + seconds;
        String value = Ids.next("ek_");
        minted.put(value, new Minted(session, expiresAt));
        ctx.contentType("application/json").result(Json.write(Json.obj("value", value, "expires_at", expiresAt, "session", session)));
    }

    /** The session a secret opens, once; null for an unknown, spent or expired secret. */
    ObjectNode redeem(String value) {
        Minted secret = minted.remove(value);
        if (secret == null || secret.expiresAt() < Ids.nowSeconds()) return null;
        return secret.session().deepCopy();
    }
}
