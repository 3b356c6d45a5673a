package dev.switchboard.openai;

import dev.switchboard.observe.Usage;
import dev.switchboard.ownership.OwnedKind;
import dev.switchboard.ownership.OwnedObjects;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamEnding;
import dev.switchboard.web.Json;

/**
 * A Responses stream that creates a response: records the response's owner from {@code response.created}, before
 * that event reaches the client or the log, so that the client's next call with the id finds it. One per stream.
 */
final class RecordingDialect implements StreamDialect {
    private static final String CREATED = "response.created";

    private final StreamDialect dialect;
    private final OwnedObjects objects;
    private final OwnedKind kind;
    private final String owner;
    private boolean recorded;

    RecordingDialect(StreamDialect dialect, OwnedObjects objects, OwnedKind kind, String owner) {
        this.dialect = dialect;
        this.objects = objects;
        this.kind = kind;
        this.owner = owner;
    }

    @Override
    public void beforeRelay(SseFrame frame) {
        dialect.beforeRelay(frame);
        if (recorded) return;
        // Named by its event line as OpenAI sends it; by its type when a stream leaves the event line out.
        boolean created = frame.event() != null ? CREATED.equals(frame.event()) : frame.data().contains("\"" + CREATED + "\"");
        if (!created) return;
        try {
            var event = Json.MAPPER.readTree(frame.data());
            if (!CREATED.equals(event.path("type").asText(CREATED))) return;
            String id = event.path("response").path("id").asText(null);
            if (id == null) return;
            objects.record(kind, id, owner);
            recorded = true;
        } catch (Exception unreadable) {
            // an event that is not JSON creates nothing the client could name
        }
    }

    @Override
    public boolean isTerminal(SseFrame frame) {
        return dialect.isTerminal(frame);
    }

    @Override
    public Usage usage(SseFrame frame) {
        return dialect.usage(frame);
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode answer(SseFrame frame) {
        return dialect.answer(frame);
    }

    @Override
    public boolean isUsageOnly(SseFrame frame) {
        return dialect.isUsageOnly(frame);
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        return dialect.errorFrame(code, message, lastFrame);
    }

    @Override
    public StreamEnding ending() {
        return dialect.ending();
    }
}
