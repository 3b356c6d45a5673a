package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;

/**
 * Chat Completions streams: {@code data:} chunks with no event names, ended by {@code data: [DONE]}. Usage comes
 * in one chunk with empty {@code choices} when {@code stream_options.include_usage} is set. A failure is reported
 * as OpenAI itself does mid-stream, a data object with a top-level {@code error}, which the SDKs raise.
 */
final class ChatCompletionsDialect implements StreamDialect {
    static final ChatCompletionsDialect INSTANCE = new ChatCompletionsDialect();
    private static final byte[] USAGE_OBJECT = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    @Override
    public boolean isTerminal(SseFrame frame) {
        return frame.rawContains(DONE) && "[DONE]".equals(frame.data());
    }

    @Override
    public Usage usage(SseFrame frame) {
        if (!frame.rawContains(USAGE_OBJECT)) return null;
        JsonNode chunk = parse(frame.data());
        return chunk == null ? null : Usage.fromJson(chunk.get("usage"));
    }

    @Override
    public JsonNode answer(SseFrame frame) {
        return parse(frame.data());
    }

    @Override
    public boolean isUsageOnly(SseFrame frame) {
        if (!frame.rawContains(USAGE_OBJECT)) return false;
        JsonNode chunk = parse(frame.data());
        return chunk != null && chunk.path("choices").isArray() && chunk.path("choices").isEmpty();
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        String data = Json.write(Json.error(message, "server_error", null, code));
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (Exception e) {
            return null;
        }
    }
}
