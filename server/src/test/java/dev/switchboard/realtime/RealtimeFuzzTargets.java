package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;

/** The Realtime handlers' parsers, opened to the fuzz test. */
public final class RealtimeFuzzTargets {
    private RealtimeFuzzTargets() {}

    /** An SDP offer is accepted or refused with a 400, nothing else. */
    public static void sdpOffer(String text) {
        try {
            SdpOffer.check(text, "sdp");
        } catch (GatewayException refused) {
            if (refused.status() != 400) throw refused;
        }
    }

    /** A WebSocket message: its type is read without parsing, and its audio elided once parsed, without failing. */
    public static void webSocketMessage(String text) {
        EventType.of(text);
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(text);
        } catch (Exception notJson) {
            return;
        }
        if (parsed instanceof ObjectNode event) AudioElision.elide(event);
    }
}
