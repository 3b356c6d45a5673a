package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Realtime events as the debug log keeps them: the same JSON with every base64 audio payload replaced by its
 * size. Audio is the bulk of a voice session and is personal data; the log is for following the conversation.
 */
final class AudioElision {
    private AudioElision() {}

    /** The event with its audio elided, in place. */
    static JsonNode elide(ObjectNode event) {
        String type = event.path("type").asText("");
        if (type.endsWith("audio.delta") && !type.contains("transcript") && event.path("delta").isTextual()) {
            event.put("delta", elided(event.path("delta").asText()));
        }
        elideAudioFields(event);
        return event;
    }

    private static void elideAudioFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode audio = object.get("audio");
            if (audio != null && audio.isTextual()) object.put("audio", elided(audio.asText()));
            object.properties().forEach(entry -> elideAudioFields(entry.getValue()));
        } else if (node.isArray()) {
            node.forEach(AudioElision::elideAudioFields);
        }
    }

    private static String elided(String base64) {
        return "[audio elided: " + (base64.length() / 4 * 3) + " bytes]";
    }
}
