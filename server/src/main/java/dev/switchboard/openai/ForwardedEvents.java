package dev.switchboard.openai;

import dev.switchboard.observe.Usage;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamEnding;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;

/**
 * A forwarded stream whose events may create objects: each event that may name one (its bytes hold an {@code "id"}
 * key: a cheap test, so deltas cost nothing more) is parsed and shown to the ownership rules before it reaches the
 * client or the log, so the client's next call with the id finds it its own. One per stream.
 */
final class ForwardedEvents implements StreamDialect {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ForwardedEvents.class);
    private static final byte[] ID_KEY = "\"id\"".getBytes(StandardCharsets.US_ASCII);

    private final StreamDialect dialect;
    private final ApiOwnership ownership;
    private final String owner;
    private final String method;
    private final String path;

    ForwardedEvents(StreamDialect dialect, ApiOwnership ownership, String owner, String method, String path) {
        this.dialect = dialect;
        this.ownership = ownership;
        this.owner = owner;
        this.method = method;
        this.path = path;
    }

    @Override
    public void beforeRelay(SseFrame frame) {
        dialect.beforeRelay(frame);
        if (!frame.rawContains(ID_KEY)) return;
        com.fasterxml.jackson.databind.JsonNode event;
        try {
            event = Json.MAPPER.readTree(frame.data());
        } catch (Exception unreadable) {
            return; // an event that is not JSON creates nothing the client could name
        }
        if (event == null || !event.isObject()) return;
        try {
            ownership.recordEvent(owner, method, path, event);
        } catch (RuntimeException failed) {
            // The relay must go on; the owner of what this event created is unknown, so its id will be refused.
            LOG.warn("could not record the objects a {} {} event created", method, path, failed);
        }
    }

    @Override
    public boolean isTerminal(SseFrame frame) {
        return dialect.isTerminal(frame);
    }

    @Override
    public boolean completeAtClose() {
        return dialect.completeAtClose();
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
