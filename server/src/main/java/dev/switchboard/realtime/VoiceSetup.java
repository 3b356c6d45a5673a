package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The events the gateway sends upstream before a client joins an agent's voice session: the agent's
 * configuration (with input transcription when a transcription model is configured, so both sides are written
 * down), then, for a restarted session, the earlier transcript as conversation items, oldest first.
 */
final class VoiceSetup {
    private VoiceSetup() {}

    static List<String> events(VoiceSessionRepository.Pending pending, java.util.Optional<String> transcriptionModel) {
        List<String> events = new ArrayList<>();
        ObjectNode update = Json.object().put("type", "session.update");
        ObjectNode session = update.putObject("session").put("type", "realtime");
        if (pending.instructions() != null) session.put("instructions", pending.instructions());
        ObjectNode audio = session.putObject("audio");
        transcriptionModel.ifPresent(model -> audio.putObject("input").putObject("transcription").put("model", model));
        audio.putObject("output").put("voice", pending.voice());
        events.add(Json.write(update));
        for (JsonNode entry : pending.carriedTranscript()) {
            boolean user = entry.path("role").asText().equals("user");
            ObjectNode create = Json.object().put("type", "conversation.item.create");
            ObjectNode item = create.putObject("item").put("type", "message").put("role", user ? "user" : "assistant");
            item.putArray("content").addObject().put("type", user ? "input_text" : "output_text")
                    .put("text", entry.path("text").asText());
            events.add(Json.write(create));
        }
        return events;
    }
}
