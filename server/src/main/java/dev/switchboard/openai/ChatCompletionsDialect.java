package dev.switchboard.openai;

import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;

/**
 * Chat Completions streams: {@code data:} chunks with no event names, ended by {@code data: [DONE]}. A failure is
 * reported as OpenAI itself does mid-stream, a data object with a top-level {@code error}, which the SDKs raise.
 */
final class ChatCompletionsDialect implements StreamDialect {
    static final ChatCompletionsDialect INSTANCE = new ChatCompletionsDialect();

    @Override
    public boolean isTerminal(SseFrame frame) {
        return "[DONE]".equals(frame.data());
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        String data = Json.write(Json.error(message, "server_error", null, code));
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
