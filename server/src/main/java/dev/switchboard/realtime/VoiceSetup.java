package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The events the gateway sends upstream before a client joins an agent's voice session over the WebSocket relay:
 * the agent's configuration (with its tools), then, for a restarted session, the earlier transcript as conversation items.
 */
final class VoiceSetup {
    private VoiceSetup() {}

    static List<String> events(VoiceSessionRepository.Pending pending, java.util.Optional<String> transcriptionModel,
                               com.fasterxml.jackson.databind.node.ArrayNode tools) {
        List<String> events = new ArrayList<>();
        ObjectNode update = Json.object().put("type", "session.update");
        update.set("session", SessionConfig.of(null, pending.voice(), pending.instructions(), transcriptionModel, tools));
        events.add(Json.write(update));
        events.addAll(SessionConfig.carriedItems(pending.carriedTranscript()));
        return events;
    }
}
