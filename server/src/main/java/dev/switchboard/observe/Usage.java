package dev.switchboard.observe;

import com.fasterxml.jackson.databind.JsonNode;

/** Tokens one upstream request used. Reads both naming schemes: Chat's prompt/completion and Responses' input/output. */
public record Usage(long inputTokens, long outputTokens, long totalTokens) {

    /** From a {@code usage} object; null when the node holds none. */
    public static Usage fromJson(JsonNode usage) {
        if (usage == null || !usage.isObject()) return null;
        long input = usage.has("input_tokens") ? usage.path("input_tokens").asLong() : usage.path("prompt_tokens").asLong();
        long output = usage.has("output_tokens") ? usage.path("output_tokens").asLong() : usage.path("completion_tokens").asLong();
        long total = usage.has("total_tokens") ? usage.path("total_tokens").asLong() : input + output;
        return new Usage(input, output, total);
    }
}
