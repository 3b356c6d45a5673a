package dev.switchboard.emulator.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.models.ModelsApi;
import io.javalin.http.Context;
import java.util.Set;

/** Request checks the media endpoints share, answered with OpenAI's messages. */
public final class Params {
    private static final int ECHO_LIMIT = 64;

    private Params() {}

    /** A JSON value's type as OpenAI names it in "expected a string, but got an array instead". */
    public static String typeName(JsonNode node) {
        if (node.isTextual()) return "a string";
        if (node.isIntegralNumber()) return "an integer";
        if (node.isNumber()) return "a decimal";
        if (node.isBoolean()) return "a boolean";
        if (node.isArray()) return "an array";
        if (node.isObject()) return "an object";
        return "null";
    }

    /** A client's value fit to quote in a message: control characters escaped, cut to a short prefix. */
    public static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < ECHO_LIMIT; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c == 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return value.length() > ECHO_LIMIT ? out + "..." : out.toString();
    }

    /**
     * The model the request names, without directives, when it may serve this endpoint; else null, after answering
     * as OpenAI does: 400 for a missing or malformed name, 404 {@code model_not_found} for one it does not serve,
     * 400 for a served model of another kind; or with the request's scripted failure ({@link Faults}).
     */
    public static String checkModel(Context ctx, String model, Set<String> accepted, Faults faults) throws java.io.IOException {
        if (model == null || model.isEmpty()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'model'.", "model");
            return null;
        }
        if (model.chars().anyMatch(c -> c < 0x20 || c == 0x7F) || model.length() > 256) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid value for 'model': '" + printable(model) + "' is not a model name.", "model");
            return null;
        }
        String named = faults.baseModel(model);
        String undated = named.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", "");
        boolean fits = accepted.contains(named) || accepted.contains(undated);
        if (!fits && !faults.scripted(ctx, model)) {
            if (!ModelsApi.served(named)) {
                ModelsApi.notFound(ctx, named);
            } else {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                        "Invalid value for 'model': '" + named + "' is not supported by this endpoint.", "model");
            }
            return null;
        }
        if (faults.failed(ctx, model)) return null;
        return named;
    }
}
