package dev.switchboard;

import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helpers for whole event-stream bodies. */
public final class SseFrames {
    private SseFrames() {}

    /** The events of a body that carry data (comments and heartbeats left out). */
    public static List<SseFrame> parse(String body) {
        SseReader reader = new SseReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        List<SseFrame> frames = new ArrayList<>();
        try {
            for (SseFrame f; (f = reader.next()) != null; ) if (f.hasData()) frames.add(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return frames;
    }

    public static JsonNode json(SseFrame frame) {
        try {
            return Json.MAPPER.readTree(frame.data());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + frame.data(), e);
        }
    }

    /** The body as upstream sent it: the gateway's {@code id:} lines and heartbeat comments removed. */
    public static String withoutGatewayLines(String body) {
        return body.replaceAll("(?m)^id: \\d+\n", "").replace(": keep-alive\n\n", "");
    }
}
