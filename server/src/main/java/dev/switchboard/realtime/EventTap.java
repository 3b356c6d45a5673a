package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.Json;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Reads what the gateway needs from one Realtime session's events, whichever way they travel (a relayed
 * WebSocket, a WebRTC call's sideband): usage from each {@code response.done}, the session's observer (a
 * transcript), and every event for the debug log with audio elided. Only events someone wants are parsed, so the
 * relay's hot path stays a type scan.
 */
final class EventTap {
    private final Exchange exchange;
    private final RequestRecorder recorder;
    private final AtomicLong eventNumber = new AtomicLong();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile SessionObserver observer = SessionObserver.NONE;
    private volatile String sessionId;
    private volatile UnaryOperator<String> toolNames;
    private long inputTokens;
    private long outputTokens;
    private long totalTokens;

    EventTap(Exchange exchange, RequestRecorder recorder) {
        this.exchange = exchange;
        this.recorder = recorder;
    }

    Exchange exchange() {
        return exchange;
    }

    void observer(SessionObserver observer) {
        this.observer = observer;
    }

    /** The gateway's session ({@code rtsess_…}) these events belong to: each debug event names it. */
    void session(String id) {
        this.sessionId = id;
    }

    /** How the debug log names the tools the session's events carry: by their own names, as everywhere else. */
    void toolNames(UnaryOperator<String> toolName) {
        this.toolNames = toolName;
    }

    /** One event, {@code "client"} or {@code "upstream"} bound; the parsed event when someone read it, else null. */
    ObjectNode observe(String direction, String text) {
        boolean debug = recorder.debugEventsOn();
        String type = EventType.of(text);
        boolean usage = direction.equals("upstream") && "response.done".equals(type);
        boolean observed = observer.wants(direction, type);
        if (!debug && !usage && !observed) return null;
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(text);
        } catch (Exception malformed) {
            return null;
        }
        if (!(event instanceof ObjectNode object)) return null;
        if (usage) addUsage(object.path("response").path("usage"));
        if (observed) observer.onEvent(direction, object);
        if (debug) {
            JsonNode recorded = AudioElision.elide(object.deepCopy());
            UnaryOperator<String> names = toolNames;
            if (names != null) RecordedToolNames.rename(recorded, names);
            recorder.realtimeEvent(new RequestRecorder.RealtimeEventRow(
                    exchange.requestId() + ":" + eventNumber.incrementAndGet(), sessionId, exchange.keyId(), direction,
                    type == null ? "" : type, Json.write(recorded), Instant.now()));
        }
        return object;
    }

    /** The session is over: usage and outcome to the request log, the end to the observer. Only the first call counts. */
    void finish(String outcome, String error) {
        if (!finished.compareAndSet(false, true)) return;
        Usage usage;
        synchronized (this) {
            usage = totalTokens > 0 ? new Usage(inputTokens, outputTokens, totalTokens) : null;
        }
        if (usage != null) exchange.usage(usage);
        exchange.finish(outcome, error);
        observer.onEnd(usage);
    }

    private synchronized void addUsage(JsonNode usage) {
        Usage one = Usage.fromJson(usage);
        if (one == null) return;
        inputTokens += one.inputTokens();
        outputTokens += one.outputTokens();
        totalTokens += one.totalTokens();
    }
}
