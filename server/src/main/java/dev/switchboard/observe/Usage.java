package dev.switchboard.observe;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one upstream request used, read from OpenAI's {@code usage} object in every shape it comes in: Chat's
 * {@code prompt_tokens}/{@code completion_tokens}, Responses' and images' {@code input_tokens}/{@code output_tokens}
 * (their {@code *_tokens_details} are parts of those totals), embeddings' {@code prompt_tokens} and
 * {@code total_tokens} alone, transcriptions' {@code {"type":"tokens", ...}}, and transcriptions billed by the second
 * ({@code {"type":"duration","seconds":…}}), which use no tokens: their seconds are kept beside zero tokens.
 *
 * @param seconds audio seconds billed instead of tokens (duration-billed transcription); 0 otherwise
 */
public record Usage(long inputTokens, long outputTokens, long totalTokens, double seconds) {

    public Usage(long inputTokens, long outputTokens, long totalTokens) {
        this(inputTokens, outputTokens, totalTokens, 0);
    }

    /** From a {@code usage} object; null when the node holds none. */
    public static Usage fromJson(JsonNode usage) {
        if (usage == null || !usage.isObject()) return null;
        if ("duration".equals(usage.path("type").asText(null))) {
            double seconds = usage.path("seconds").asDouble(0);
            return seconds > 0 && Double.isFinite(seconds) ? new Usage(0, 0, 0, seconds) : null;
        }
        long input = tokens(usage, "input_tokens", "prompt_tokens");
        long output = tokens(usage, "output_tokens", "completion_tokens");
        long total = usage.has("total_tokens") ? count(usage.get("total_tokens")) : input + output;
        if (input == 0 && output == 0 && total == 0 && !hasAnyCount(usage)) return null;
        return new Usage(input, output, total);
    }

    /**
     * The usage an answer or event reports: its own {@code usage}, or its {@code response}'s (Responses events carry
     * the response object). Null when it reports none.
     */
    public static Usage reportedBy(JsonNode answer) {
        if (answer == null || !answer.isObject()) return null;
        Usage own = fromJson(answer.get("usage"));
        return own != null ? own : fromJson(answer.path("response").get("usage"));
    }

    private static long tokens(JsonNode usage, String name, String oldName) {
        return usage.has(name) ? count(usage.get(name)) : count(usage.get(oldName));
    }

    /** A count as OpenAI sends it; anything else (negative, text, absurd) counts as nothing. */
    private static long count(JsonNode node) {
        if (node == null || !node.isNumber()) return 0;
        long n = node.asLong();
        return n < 0 ? 0 : n;
    }

    private static boolean hasAnyCount(JsonNode usage) {
        for (String name : new String[] {"input_tokens", "prompt_tokens", "output_tokens", "completion_tokens", "total_tokens"}) {
            if (usage.path(name).isNumber()) return true;
        }
        return false;
    }
}
