package dev.switchboard.openai;

import dev.switchboard.observe.Usage;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;

/**
 * Any event stream of an endpoint the gateway has no dialect of its own for (transcription deltas, speech as SSE,
 * image partials, endpoints OpenAI adds later). It knows no terminal event by name: the stream is complete when
 * upstream closes it after a whole event (or sends {@code data: [DONE]}), and broken when it closes mid-event, stalls
 * or fails. Usage is taken from any event that carries a {@code usage} object, at its top level or in its
 * {@code response}; the last one counts. A failure is reported as an {@code error} event whose data is OpenAI's error
 * object, which the SDKs raise.
 */
final class ForwardedStreamDialect implements StreamDialect {
    static final ForwardedStreamDialect INSTANCE = new ForwardedStreamDialect();
    private static final byte[] USAGE = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    @Override
    public boolean isTerminal(SseFrame frame) {
        return frame.rawContains(DONE) && "[DONE]".equals(frame.data());
    }

    @Override
    public boolean completeAtClose() {
        return true;
    }

    @Override
    public Usage usage(SseFrame frame) {
        if (!frame.rawContains(USAGE)) return null;
        try {
            return Usage.reportedBy(Json.MAPPER.readTree(frame.data()));
        } catch (Exception notJson) {
            return null;
        }
    }

    /** The event that carried usage, or the response inside it: its {@code model} and {@code id} name the answer. */
    @Override
    public com.fasterxml.jackson.databind.JsonNode answer(SseFrame frame) {
        try {
            var event = Json.MAPPER.readTree(frame.data());
            return event.has("response") ? event.get("response") : event;
        } catch (Exception notJson) {
            return null;
        }
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        var error = Json.error(message, "server_error", null, code);
        error.put("type", "error");
        return ("event: error\ndata: " + Json.write(error) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
