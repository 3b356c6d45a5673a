package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.Json;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an agent's Realtime session in {@code chatkit_sessions} as it happens: the upstream session id, each
 * finished conversation item's text (both sides; audio by its transcript), and at the end the status and usage.
 * Writes go through one virtual thread per session, in order, so the relay never waits on the database.
 */
final class VoiceSessionRecorder implements SessionObserver {
    private static final Logger LOG = LoggerFactory.getLogger(VoiceSessionRecorder.class);

    private final String sessionId;
    private final VoiceSessionRepository repository;
    private final ExecutorService writes = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("voice-session-writes").factory());

    VoiceSessionRecorder(String sessionId, VoiceSessionRepository repository) {
        this.sessionId = sessionId;
        this.repository = repository;
    }

    @Override
    public boolean wants(String direction, String type) {
        return direction.equals("upstream") && type != null && switch (type) {
            case "session.created", "conversation.item.done", "conversation.item.input_audio_transcription.completed" -> true;
            default -> false;
        };
    }

    @Override
    public void onEvent(String direction, ObjectNode event) {
        switch (event.path("type").asText()) {
            case "session.created" -> {
                // Read now: the relay may go on to change the event (the debug log elides audio in place).
                String upstreamId = event.path("session").path("id").asText(null);
                write(() -> repository.started(sessionId, upstreamId));
            }
            case "conversation.item.done" -> {
                JsonNode item = event.path("item");
                String text = text(item.path("content"));
                if (text != null) entry(item.path("role").asText(), text, item.path("id").asText());
            }
            case "conversation.item.input_audio_transcription.completed" ->
                    entry("user", event.path("transcript").asText(), event.path("item_id").asText());
            default -> { }
        }
    }

    @Override
    public void onEnd(Usage usage) {
        ObjectNode usageJson = usage == null ? null : Json.object().put("input_tokens", usage.inputTokens())
                .put("output_tokens", usage.outputTokens()).put("total_tokens", usage.totalTokens());
        write(() -> repository.ended(sessionId, usageJson));
        writes.shutdown();
    }

    private void entry(String role, String text, String itemId) {
        if (!role.equals("user") && !role.equals("assistant")) return;
        ObjectNode entry = Json.object().put("role", role).put("text", text).put("item_id", itemId);
        write(() -> repository.appendTranscript(sessionId, entry));
    }

    private void write(Runnable write) {
        try {
            writes.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    LOG.warn("Could not record Realtime session {}: {}", sessionId, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ended) {
            // An event after the end of the session: nothing left to record.
        }
    }

    /** The text of an item's content: typed text, or the transcript of audio; null when it has neither. */
    private static String text(JsonNode content) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode value = part.hasNonNull("text") ? part.get("text") : part.get("transcript");
            if (value != null && value.isTextual() && !value.asText().isEmpty()) text.append(value.asText());
        }
        return text.isEmpty() ? null : text.toString();
    }
}
