package dev.switchboard.debug;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import java.time.Duration;

/**
 * Records every finished exchange in {@code request_log} (for accounting and the admin API) and, with
 * {@code SWITCHBOARD_DEBUG_EVENTS} on, in {@code openai_debug_events}. Never on the relay path: rows are queued
 * and written in batches; see {@link BatchWriter} for what happens while the database is down. Rows hold ids,
 * never keys.
 */
public final class RequestRecorder implements ExchangeListener, AutoCloseable {
    private static final int CAPACITY = 100_000;
    private static final int BATCH = 500;
    private static final Duration LINGER = Duration.ofMillis(200);

    private final BatchWriter<RequestRow> requests;
    private final BatchWriter<RequestRow> debugEvents;
    private final BatchWriter<ToolCallRow> toolCalls;

    public RequestRecorder(RequestLogRepository repository, boolean debugEvents) {
        this.requests = new BatchWriter<>("request-log", CAPACITY, BATCH, LINGER, repository::insertRequests);
        this.debugEvents = debugEvents
                ? new BatchWriter<>("debug-events", CAPACITY, BATCH, LINGER, repository::insertDebugEvents) : null;
        this.toolCalls = debugEvents
                ? new BatchWriter<>("debug-tool-calls", CAPACITY, BATCH, LINGER, repository::insertToolCalls) : null;
    }

    /** One tool call an agent run made: in the debug log, when it is on. Never its arguments. */
    public record ToolCallRow(String callId, String runId, String keyId, String tool, long durationMillis, String error,
                              java.time.Instant at) {}

    public void toolCall(ToolCallRow row) {
        if (toolCalls != null) toolCalls.offer(row);
    }

    @Override
    public void finished(Exchange exchange) {
        RequestRow row = RequestRow.of(exchange);
        requests.offer(row);
        if (debugEvents != null) debugEvents.offer(row);
    }

    /** Records waiting to be written, in both logs. */
    public int queueDepth() {
        return requests.depth() + (debugEvents == null ? 0 : debugEvents.depth() + toolCalls.depth());
    }

    /** Batches whose write failed once or more and were retried. */
    public long retriedBatches() {
        return requests.retried() + (debugEvents == null ? 0 : debugEvents.retried());
    }

    public long dropped() {
        return requests.dropped() + (debugEvents == null ? 0 : debugEvents.dropped());
    }

    @Override
    public void close() {
        requests.close();
        if (debugEvents != null) debugEvents.close();
        if (toolCalls != null) toolCalls.close();
    }
}
