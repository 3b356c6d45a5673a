package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the emulated model does for one request. Every field is optional; the defaults give a deterministic
 * echo of the caller's last input, sent as fast as possible.
 *
 * @param text        the reply text (split into tokens at whitespace); null means derive it from the input
 * @param tokens      when no text is given, the number of filler tokens to send instead of an echo
 * @param delayMillis pause before each streamed token
 * @param toolCall    a function call to make instead of answering, unless the input already holds its result
 * @param failStatus  answer with this HTTP status and an OpenAI-shaped error before any byte of a body
 * @param retryAfter  seconds for the Retry-After header of a 429
 * @param dropAfter   abort the connection after this many stream events (a mid-stream failure)
 * @param stallAfter  stop sending, connection open, after this many stream events
 * @param replay      stream this recorded .sse file byte for byte instead of generating events
 * @param stamp       (benchmarks) each streamed chat token is the time it was sent, in microseconds since the epoch,
 *                    so a client on the same machine can measure per-event latency
 * @param toolCalls   (Responses) several function calls made one per round: the Nth once N-1 outputs have come
 *                    back along the {@code previous_response_id} chain; then the reply text
 */
public record Script(String text, Integer tokens, long delayMillis, ToolCall toolCall, Integer failStatus,
              Integer retryAfter, Integer dropAfter, Integer stallAfter, Path replay, boolean stamp,
              java.util.List<ToolCall> toolCalls) {

    public static final Script DEFAULT = new Script(null, null, 0, null, null, null, null, null, null, false, java.util.List.of());

    /** Parses the JSON form used by the {@code X-Emulator-Script} header and {@code POST /_emulator/scripts}. */
    static Script fromJson(JsonNode node) {
        ToolCall toolCall = null;
        JsonNode tool = node.path("tool_call");
        if (tool.isObject()) {
            JsonNode args = tool.path("arguments");
            toolCall = new ToolCall(tool.path("name").asText("get_weather"),
                    args.isMissingNode() ? "{}" : args.isTextual() ? args.asText() : Json.write(args));
        }
        return new Script(
                node.hasNonNull("text") ? node.get("text").asText() : null,
                intOrNull(node, "tokens"),
                node.path("delay_ms").asLong(0),
                toolCall,
                intOrNull(node, "fail_status"),
                intOrNull(node, "retry_after"),
                intOrNull(node, "drop_after"),
                intOrNull(node, "stall_after"),
                node.hasNonNull("replay") ? Path.of(node.get("replay").asText()) : null,
                node.path("stamp").asBoolean(false) || node.path("stamp").asInt(0) == 1,
                toolCalls(node.path("tool_calls")));
    }

    /**
     * Parses directives carried in a model name, {@code gpt-4o-mini;tokens=20;delay_ms=5;fail=429}, so that a
     * script reaches the emulator through any client or gateway that forwards the model unchanged.
     */
    static Script fromModelName(String model) {
        int semicolon = model == null ? -1 : model.indexOf(';');
        if (semicolon < 0) return DEFAULT;
        var json = Json.obj();
        for (String directive : model.substring(semicolon + 1).split(";")) {
            int eq = directive.indexOf('=');
            if (eq <= 0) continue;
            String key = directive.substring(0, eq).trim();
            String value = URLDecoder.decode(directive.substring(eq + 1).trim(), StandardCharsets.UTF_8);
            switch (key) {
                case "fail" -> json.put("fail_status", Integer.parseInt(value));
                case "fail_times" -> { /* counted by FailureCount */ }
                case "tool" -> json.set("tool_call", Json.obj("name", value, "arguments", "{\"location\":\"Paris\"}"));
                case "text", "replay" -> json.put(key, value);
                default -> json.put(key, Long.parseLong(value));
            }
        }
        return fromJson(json);
    }

    /** The model name with any directives removed: what the emulator reports back as {@code model}. */
    public static String baseModel(String model) {
        if (model == null || model.isBlank()) return "gpt-4o-mini";
        int semicolon = model.indexOf(';');
        return semicolon < 0 ? model : model.substring(0, semicolon);
    }

    /** This script with its function calls removed (tool_choice "none"): the text alone. */
    Script withoutToolCalls() {
        return new Script(text, tokens, delayMillis, null, failStatus, retryAfter, dropAfter, stallAfter, replay, stamp,
                java.util.List.of());
    }

    /** This script making this one function call and saying nothing else (a forced tool_choice). */
    Script withToolCall(ToolCall call) {
        return new Script(null, null, delayMillis, call, failStatus, retryAfter, dropAfter, stallAfter, replay, stamp,
                java.util.List.of());
    }

    private static java.util.List<ToolCall> toolCalls(JsonNode array) {
        java.util.List<ToolCall> calls = new java.util.ArrayList<>();
        for (JsonNode call : array) {
            JsonNode args = call.path("arguments");
            calls.add(new ToolCall(call.path("name").asText(), args.isTextual() ? args.asText() : Json.write(args)));
        }
        return calls;
    }

    private static Integer intOrNull(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asInt() : null;
    }
}
