package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Realtime session the gateway asks for, in the GA shape: the voice, the instructions, input transcription
 * when a transcription model is configured (so both sides of the conversation are written down), and tools. The
 * same object configures a WebRTC call (its {@code session} part) and a relayed session ({@code session.update}).
 */
final class SessionConfig {
    private SessionConfig() {}

    /** The session; {@code model} is left out when null (a {@code session.update} does not change it). */
    static ObjectNode of(String model, String voice, String instructions, Optional<String> transcriptionModel, ArrayNode tools) {
        ObjectNode session = Json.object().put("type", "realtime");
        if (model != null) session.put("model", model);
        if (instructions != null && !instructions.isBlank()) session.put("instructions", instructions);
        ObjectNode audio = session.putObject("audio");
        transcriptionModel.ifPresent(name -> audio.putObject("input").putObject("transcription").put("model", name));
        audio.putObject("output").put("voice", voice);
        if (tools != null && !tools.isEmpty()) session.set("tools", tools);
        return session;
    }

    /** A restarted session's earlier transcript as {@code conversation.item.create} events, oldest first. */
    static List<String> carriedItems(JsonNode transcript) {
        List<String> events = new ArrayList<>();
        for (JsonNode entry : transcript) {
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
