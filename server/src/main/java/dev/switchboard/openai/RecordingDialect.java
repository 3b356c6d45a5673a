package dev.switchboard.openai;

import dev.switchboard.observe.Usage;
import dev.switchboard.ownership.OwnedKind;
import dev.switchboard.ownership.OwnedObjects;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamEnding;
import dev.switchboard.web.Json;

/**
 * A stream that creates an object: records the object's owner from the first event that names it, before that event
 * reaches the client or the log, so that the client's next call with the id finds it. A Responses stream names its
 * response in {@code response.created}; a Chat Completions stream names its completion in every chunk, so the first
 * one is read. Events after that are not parsed. One per stream.
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
        String id = dialect instanceof ChatCompletionsDialect ? chunkId(frame) : responseId(frame);
        if (id == null) return;
        objects.record(kind, id, owner);
        recorded = true;
    }

    /** The id in {@code response.created}; null for any other event. */
    private static String responseId(SseFrame frame) {
        // Named by its event line as OpenAI sends it; by its type when a stream leaves the event line out.
        boolean created = frame.event() != null ? CREATED.equals(frame.event()) : frame.data().contains("\"" + CREATED + "\"");
        if (!created) return null;
        try {
            var event = Json.MAPPER.readTree(frame.data());
            if (!CREATED.equals(event.path("type").asText(CREATED))) return null;
            return event.path("response").path("id").asText(null);
        } catch (Exception unreadable) {
            return null; // an event that is not JSON creates nothing the client could name
        }
    }

    /** The completion's id in a chunk ({@code "object":"chat.completion.chunk"}); null for anything else. */
    private static String chunkId(SseFrame frame) {
        if (!frame.data().startsWith("{")) return null;
        try {
            var chunk = Json.MAPPER.readTree(frame.data());
            return "chat.completion.chunk".equals(chunk.path("object").asText()) ? chunk.path("id").asText(null) : null;
        } catch (Exception unreadable) {
            return null;
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
