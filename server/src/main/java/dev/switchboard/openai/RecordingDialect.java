package dev.switchboard.openai;

import dev.switchboard.observe.Usage;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamEnding;
import dev.switchboard.web.Json;

/**
 * A relayed stream whose events may create objects: each such event goes to {@link ApiOwnership#recordEvent} before
 * it reaches the client or the log, so that the client's next call with the id finds it its own. Only the events that
 * can name one are read: the first (a chat stream's chunk id, {@code response.created}), any {@code *.created}, and
 * any naming a container (a code interpreter call's). One per stream.
 */
final class RecordingDialect implements StreamDialect {
    private final StreamDialect dialect;
    private final ApiOwnership ownership;
    private final String owner;
    private final String method;
    private final String path;
    private boolean seenData;

    RecordingDialect(StreamDialect dialect, ApiOwnership ownership, String owner, String method, String path) {
        this.dialect = dialect;
        this.ownership = ownership;
        this.owner = owner;
        this.method = method;
        this.path = path;
    }

    @Override
    public void beforeRelay(SseFrame frame) {
        dialect.beforeRelay(frame);
        if (!frame.hasData()) return;
        boolean first = !seenData;
        seenData = true;
        String data = frame.data();
        boolean created = frame.event() != null ? frame.event().endsWith(".created") : data.contains(".created\"");
        if (!first && !created && !data.contains("\"container_id\"")) return;
        try {
            ownership.recordEvent(owner, method, path, Json.MAPPER.readTree(data));
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
