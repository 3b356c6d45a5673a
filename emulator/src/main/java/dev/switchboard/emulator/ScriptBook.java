package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the script for a request. In order: the {@code X-Emulator-Script} header (JSON), a script registered
 * for the request's model name, directives in the model name, then the default.
 */
final class ScriptBook {
    static final String HEADER = "X-Emulator-Script";

    private final Map<String, Script> byModel = new ConcurrentHashMap<>();

    void register(String model, Script script) {
        byModel.put(model, script);
    }

    void clear() {
        byModel.clear();
    }

    Script forRequest(Context ctx, String model) throws IOException {
        String header = ctx.header(HEADER);
        if (header != null && !header.isBlank()) return Script.fromJson(Json.parse(header));
        return forModel(model);
    }

    /** The script for a model name alone: where there are no request headers (Realtime sessions). */
    Script forModel(String model) {
        if (model != null) {
            Script registered = byModel.get(model);
            if (registered != null) return registered;
        }
        return Script.fromModelName(model);
    }

    static Script parseRegistration(JsonNode body) {
        return Script.fromJson(body.path("script"));
    }
}
