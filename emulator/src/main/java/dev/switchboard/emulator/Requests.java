package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;

/** Request parsing shared by the emulated endpoints. */
public final class Requests {
    private Requests() {}

    /** The body as a JSON object, or null after answering 400 when it is not one. */
    public static JsonNode jsonBody(Context ctx) {
        String raw = ctx.body();
        if (raw.isBlank()) return Json.obj();
        try {
            JsonNode node = Json.parse(raw);
            if (node != null && node.isObject()) return node;
        } catch (Exception ignored) {
            // answered below
        }
        ApiErrors.send(ctx, 400, "invalid_request_error", null,
                "We could not parse the JSON body of your request. (emulated)");
        return null;
    }

    static int intQuery(Context ctx, String name, int fallback) {
        String value = ctx.queryParam(name);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The token of an {@code Authorization: Bearer} header, or null. */
    static String bearerToken(String authorization) {
        return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim() : null;
    }
}
