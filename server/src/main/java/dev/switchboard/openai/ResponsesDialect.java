package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Responses streams: {@code event: TYPE} frames whose data carries {@code sequence_number}, ended by
 * {@code response.completed}, {@code response.failed}, {@code response.incomplete} or {@code error}. A failure is
 * reported as the spec's {@code error} event, numbered after the last event relayed.
 */
final class ResponsesDialect implements StreamDialect {
    static final ResponsesDialect INSTANCE = new ResponsesDialect();
    private static final Set<String> TERMINAL = Set.of("response.completed", "response.failed", "response.incomplete", "error");
    /** The events whose response object carries the final usage. */
    private static final Set<String> WITH_USAGE = Set.of("response.completed", "response.failed", "response.incomplete");
    private static final String SEQUENCE_FIELD = "\"sequence_number\":";

    @Override
    public boolean isTerminal(SseFrame frame) {
        return frame.event() != null ? TERMINAL.contains(frame.event()) : TERMINAL.contains(typeOf(frame.data()));
    }

    @Override
    public Usage usage(SseFrame frame) {
        String type = frame.event() != null ? frame.event() : typeOf(frame.data());
        if (!WITH_USAGE.contains(type)) return null;
        try {
            JsonNode event = Json.MAPPER.readTree(frame.data());
            return Usage.fromJson(event.path("response").get("usage"));
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public JsonNode answer(SseFrame frame) {
        try {
            JsonNode response = Json.MAPPER.readTree(frame.data()).path("response");
            return response.isObject() ? response : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        var error = Json.object().put("type", "error").put("code", code).put("message", message).putNull("param")
                .put("sequence_number", lastFrame == null ? 0 : sequenceNumber(lastFrame.data()) + 1);
        return ("event: error\ndata: " + Json.write(error) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the sequence number without parsing the whole event: only the error path needs it. */
    static long sequenceNumber(String data) {
        int at = data == null ? -1 : data.lastIndexOf(SEQUENCE_FIELD);
        if (at < 0) return -1;
        int i = at + SEQUENCE_FIELD.length();
        while (i < data.length() && data.charAt(i) == ' ') i++;
        long n = 0;
        boolean any = false;
        for (; i < data.length() && Character.isDigit(data.charAt(i)); i++) {
            n = n * 10 + (data.charAt(i) - '0');
            any = true;
        }
        return any ? n : -1;
    }

    private static String typeOf(String data) {
        try {
            return Json.MAPPER.readTree(data).path("type").asText(null);
        } catch (Exception e) {
            return null;
        }
    }
}
