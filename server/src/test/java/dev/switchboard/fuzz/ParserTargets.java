package dev.switchboard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.chat.ChatFuzzTargets;
import dev.switchboard.limits.KeyLimits;
import dev.switchboard.realtime.RealtimeFuzzTargets;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * What the fuzz tests throw hostile input at: the SSE parser (upstream streams), the JSON request parsers (chat,
 * key limits), the SDP offer check and the Realtime WebSocket message handling. Each may refuse its input only in
 * its documented way: an {@link IOException} for a stream, an OpenAI-shaped 400 for a request. Anything else (a
 * runtime exception, a hang, running out of memory) is a finding.
 */
final class ParserTargets {
    private ParserTargets() {}

    static void exercise(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 4)) {
            case 0 -> sse(data.consumeRemainingAsBytes());
            case 1 -> json(data.consumeRemainingAsString(), ChatFuzzTargets::chatRequest);
            case 2 -> json(data.consumeRemainingAsString(), ParserTargets::keyLimits);
            case 3 -> RealtimeFuzzTargets.sdpOffer(data.consumeRemainingAsString());
            default -> RealtimeFuzzTargets.webSocketMessage(data.consumeRemainingAsString());
        }
    }

    private static void sse(byte[] bytes) {
        SseReader reader = new SseReader(new ByteArrayInputStream(bytes));
        try {
            for (SseFrame frame; (frame = reader.next()) != null; ) {
                frame.event();
                frame.data();
                frame.id();
                frame.hasData();
            }
        } catch (IOException refused) {
            // A malformed or oversized stream is refused this way.
        }
    }

    private static void keyLimits(JsonNode body) {
        try {
            KeyLimits.fromJson(body).toJson();
        } catch (GatewayException refused) {
            if (refused.status() != 400) throw refused;
        }
    }

    private static void json(String text, java.util.function.Consumer<JsonNode> parser) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(text);
        } catch (IOException notJson) {
            return; // the body reader refuses it with a 400 before any parser sees it
        }
        if (body != null && body.isObject()) parser.accept(body);
    }
}
