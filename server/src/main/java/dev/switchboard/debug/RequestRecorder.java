package dev.switchboard.debug;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.stream.StreamMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

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
    private final BatchWriter<RealtimeEventRow> realtimeEvents;
    private final BatchWriter<FallbackRow> fallbacks;

    public RequestRecorder(RequestLogRepository repository, boolean debugEvents) {
        this.requests = new BatchWriter<>("request-log", CAPACITY, BATCH, LINGER, repository::insertRequests,
                RequestRow::requestId);
        this.debugEvents = debugEvents
                ? new BatchWriter<>("debug-events", CAPACITY, BATCH, LINGER, repository::insertDebugEvents,
                RequestRow::requestId) : null;
        this.toolCalls = debugEvents
                ? new BatchWriter<>("debug-tool-calls", CAPACITY, BATCH, LINGER, repository::insertToolCalls,
                ToolCallRow::callId) : null;
        this.realtimeEvents = debugEvents
                ? new BatchWriter<>("debug-realtime-events", CAPACITY, BATCH, LINGER,
                repository::insertRealtimeEvents, RealtimeEventRow::id) : null;
        // Fallbacks are few and always worth knowing about: they are kept whether or not debugging is on.
        this.fallbacks = new BatchWriter<>("debug-fallbacks", CAPACITY, BATCH, LINGER, repository::insertFallbacks,
                FallbackRow::requestId);
    }

    /**
     * A chat call that could not be answered the way it asked and was answered another way.
     *
     * @param from  the model and mode that failed, as {@code model (mode)}
     * @param to    the model that answered instead
     * @param cause why the first way failed
     */
    public record FallbackRow(String requestId, String keyId, String endpoint, String from, String to, String cause,
                              java.time.Instant at) {}

    public void fallback(FallbackRow row) {
        fallbacks.offer(row);
    }

    /** One tool call an agent run made: in the debug log, when it is on. Never its arguments. */
    public record ToolCallRow(String callId, String runId, String keyId, String tool, long durationMillis, String error,
                              java.time.Instant at) {}

    public void toolCall(ToolCallRow row) {
        if (toolCalls != null) toolCalls.offer(row);
    }

    /**
     * One event relayed over a Realtime WebSocket, in the debug log when it is on.
     *
     * @param id        unique per event: the session's request id and the event's number
     * @param sessionId the gateway's session ({@code rtsess_…}) the connection carries, or null for a plain relay
     * @param direction {@code client} (sent by the client) or {@code upstream}
     * @param payload   the event as JSON, audio already elided
     */
    public record RealtimeEventRow(String id, String sessionId, String keyId, String direction, String type, String payload,
                                   java.time.Instant at) {}

    public boolean debugEventsOn() {
        return realtimeEvents != null;
    }

    public void realtimeEvent(RealtimeEventRow row) {
        if (realtimeEvents != null) realtimeEvents.offer(row);
    }

    @Override
    public void finished(Exchange exchange) {
        RequestRow row = RequestRow.of(exchange);
        requests.offer(row);
        if (debugEvents != null) debugEvents.offer(row);
    }

    /**
     * A relayed stream whose instance died before it could record it, ended by this instance: its request is
     * recorded with the upstream events its log holds and outcome {@code instance_lost}. Upstream's usage never
     * arrived, so none is claimed. Should the writer have been alive after all, whichever row is written first stays.
     */
    public void adoptedStream(StreamMeta meta, long events) {
        if (meta.requestId() == null) return; // runs account for their upstream calls themselves
        Instant now = Instant.now();
        RequestRow row = new RequestRow(meta.requestId(), meta.keyId(), null, meta.owner(), meta.endpoint(),
                meta.model(), true, meta.id(), 200, "instance_lost",
                "The gateway instance relaying the stream stopped; another instance ended it.", null, null, -1,
                Duration.between(meta.createdAt(), now).toMillis(), events, meta.createdAt());
        requests.offer(row);
        if (debugEvents != null) debugEvents.offer(row);
    }

    /** Records waiting to be written, in both logs. */
    public int queueDepth() {
        return requests.depth() + fallbacks.depth() + (debugEvents == null ? 0
                : debugEvents.depth() + toolCalls.depth() + realtimeEvents.depth());
    }

    /** Batches whose write failed once or more and were retried. */
    public long retriedBatches() {
        return requests.retried() + (debugEvents == null ? 0 : debugEvents.retried());
    }

    public long dropped() {
        return requests.dropped() + (debugEvents == null ? 0 : debugEvents.dropped());
    }

    /** Records the database refused on their own, in every log, given up so that the others are written. */
    public long deadLettered() {
        return writers().mapToLong(BatchWriter::deadLettered).sum();
    }

    /** The last records given up, per log (each log keeps its last {@value BatchWriter#DEAD_LETTERS_KEPT}). */
    public List<BatchWriter.DeadLetter> deadLetters() {
        return writers().flatMap(writer -> writer.deadLetters().stream()).toList();
    }

    private Stream<BatchWriter<?>> writers() {
        return Stream.<BatchWriter<?>>of(requests, debugEvents, toolCalls, realtimeEvents, fallbacks).filter(Objects::nonNull);
    }

    @Override
    public void close() {
        requests.close();
        fallbacks.close();
        if (debugEvents != null) debugEvents.close();
        if (toolCalls != null) toolCalls.close();
        if (realtimeEvents != null) realtimeEvents.close();
    }
}
