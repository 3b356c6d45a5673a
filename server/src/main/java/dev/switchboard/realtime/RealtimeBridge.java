package dev.switchboard.realtime;

import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.observe.Exchange;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's Realtime session relayed to its upstream leg, event for event, both ways, with backpressure: the
 * next upstream event is asked for only once the client has taken the last one, and a client event is read only
 * once the upstream has taken the one before. No lock is held while either side writes: each direction has one send
 * in flight, and the next starts from the last one's completion. When either side closes, the other is closed with a
 * code that says why. What the gateway reads of the events (usage, transcript, debug log) is read by its
 * {@link EventTap}.
 */
final class RealtimeBridge implements UpstreamLeg.Quiet {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeBridge.class);
    /** Longest wait for the upstream to take one client event before the session is given up. */
    private static final Duration SEND_LIMIT = Duration.ofSeconds(30);
    /**
     * How often the upstream leg is pinged. The JDK client does not always report a connection the server has
     * closed without a close frame: its socket was seen sitting in CLOSE-WAIT with neither {@code onClose} nor
     * {@code onError} called, though an event was asked for. A ping's write to such a socket fails, which ends the
     * session; pings find half-open connections too.
     */
    private static final Duration PING_INTERVAL = Duration.ofSeconds(3);
    private final Exchange exchange;
    private final EventTap tap;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocket upstream;
    /** The client's events and the gateway's own (set-up, tool outputs), in order, one send at a time. */
    private volatile UpstreamOutbox toUpstream;
    private volatile Session client;
    private volatile java.util.concurrent.ScheduledFuture<?> deadline;
    private volatile java.util.concurrent.ScheduledFuture<?> pings;
    private volatile CompletableFuture<WebSocket> lastPing = CompletableFuture.completedFuture(null);
    /** Set to end the session once the event being forwarded has reached the client. */
    private volatile String endAfterForwarding;

    RealtimeBridge(Exchange exchange, RequestRecorder recorder) {
        this.exchange = exchange;
        this.tap = new EventTap(exchange, recorder);
    }

    void upstream(WebSocket upstream) {
        this.upstream = upstream;
        this.toUpstream = new UpstreamOutbox(upstream);
    }

    /**
     * The gateway's session ({@code rtsess_…}) this connection opens, named in its debug events, and how they name the
     * session's tools.
     */
    void session(String id, java.util.function.UnaryOperator<String> toolNames) {
        tap.session(id);
        tap.toolNames(toolNames);
    }

    void observer(SessionObserver observer) {
        tap.observer(observer);
    }

    /**
     * Sends an event of the gateway's own upstream (a session's set-up, a tool's output), after those already queued.
     * Returns at once; the future completes when the upstream took it. The session is given up if it never does.
     */
    CompletableFuture<Void> sendUpstream(String event) {
        tap.observe("client", event);
        return forward(event);
    }

    /**
     * Closes the upstream leg if no client socket attaches within {@code grace}: the upgrade can still fail after
     * the leg was opened for it (the client hangs up mid-handshake), and the leg must not outlive it.
     */
    void abandonUnlessAttached(Duration grace) {
        deadline = Deadlines.TIMER.schedule(() -> {
            if (client == null) fail(1001, "the client never completed the upgrade");
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The client's socket is open: upstream events may flow, for at most {@code maxSession}. */
    void attach(Session client, Duration maxSession) {
        this.client = client;
        cancelDeadline();
        deadline = Deadlines.TIMER.schedule(() -> fail(1008, "maximum session length of " + maxSession.toSeconds() + " s reached"),
                maxSession.toMillis(), TimeUnit.MILLISECONDS);
        pings = Deadlines.TIMER.scheduleWithFixedDelay(this::ping, PING_INTERVAL.toMillis(), PING_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        upstream.request(1);
    }

    /**
     * A client event, on the client socket's (virtual) thread: queued for the upstream, and the next one read only
     * once the upstream took it. Javalin's listener asks Jetty for the next client frame as soon as this returns
     * (Jetty's auto-demand), so returning is the demand: the thread waits here for the send to complete, holding no
     * lock, while the events coming from OpenAI, the pings and the gateway's own events go on.
     */
    void fromClient(String text) {
        tap.observe("client", text);
        try {
            forward(text).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(1011, "interrupted while forwarding to OpenAI");
        } catch (java.util.concurrent.ExecutionException e) {
            // The session was already given up by forward's own handler.
        }
    }

    /** Queues {@code text} for the upstream; a send it does not take within {@link #SEND_LIMIT} ends the session. */
    private CompletableFuture<Void> forward(String text) {
        return toUpstream.send(text).orTimeout(SEND_LIMIT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
            if (error != null) fail(1011, "OpenAI did not take the event; the session is closed");
        });
    }

    /** The client closed (or its connection broke): close the upstream leg with the client's reason. */
    void clientClosed(int code, String reason) {
        if (!closed.compareAndSet(false, true)) return;
        WebSocket leg = upstream;
        if (leg != null && !leg.isOutputClosed()) {
            leg.sendClose(sendable(code, WebSocket.NORMAL_CLOSURE), reason == null ? "" : reason)
                    .orTimeout(5, TimeUnit.SECONDS)
                    .whenComplete((ok, error) -> leg.abort());
        }
        finish(code == 1000 || code == 1001 || code == 1005 ? "completed" : "client_gone", null);
    }

    /** An upstream event, whole ({@link UpstreamLeg} joins the parts): forwarded, the next asked for once the client took it. */
    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        String text = data.toString();
        tap.observe("upstream", text);
        exchange.eventRelayed();
        CompletableFuture<Void> taken = new CompletableFuture<>();
        Session session = client;
        session.sendText(text, Callback.from(() -> {
            taken.complete(null);
            String ending = endAfterForwarding;
            if (ending != null) fail(1008, ending, "token_budget_exhausted");
            else webSocket.request(1);
        }, error -> {
            taken.complete(null);
            fail(1011, "the client could not take an event");
        }));
        return taken;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (closed.compareAndSet(false, true)) {
            // 1005 and 1006 may not be sent in a close frame: say what they mean instead.
            int code = statusCode == 1005 ? 1000 : statusCode == 1006 ? 1011 : statusCode;
            String why = reason == null || reason.isEmpty() ? "OpenAI closed the session" : reason;
            closeClient(code, why);
            finish(code == 1000 ? "completed" : "upstream_closed", code == 1000 ? null : why);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        LOG.warn("Realtime upstream leg failed for {}: {}", exchange.requestId(), error.toString());
        if (error instanceof WholeMessages.TooLarge tooLarge) fail(1009, tooLarge.getMessage(), "message_too_large");
        else fail(1011, "the connection to OpenAI broke");
    }

    /** Ends the session (1008, {@code reason}) once the upstream event now being forwarded has reached the client. */
    void endAfterThisEvent(String reason) {
        endAfterForwarding = reason;
    }

    /** Gives the session up: both sides closed, the client told why. */
    void fail(int code, String reason) {
        fail(code, reason, code == 1008 ? "max_session_length" : "failed");
    }

    /** Gives the session up, recorded with {@code outcome}. */
    void fail(int code, String reason, String outcome) {
        if (!closed.compareAndSet(false, true)) return;
        closeClient(code, reason);
        WebSocket leg = upstream;
        if (leg != null) leg.abort();
        finish(outcome, reason);
    }

    private void closeClient(int code, String reason) {
        Session session = client;
        if (session != null && session.isOpen()) session.close(code, reason, Callback.NOOP);
    }

    private void ping() {
        WebSocket leg = upstream;
        if (leg.isInputClosed()) {
            fail(1011, "the connection to OpenAI broke");
            return;
        }
        // One ping at a time: the JDK client refuses a second while one is still being written.
        if (!lastPing.isDone()) return;
        lastPing = leg.sendPing(java.nio.ByteBuffer.allocate(0)).whenComplete((ok, error) -> {
            if (error != null) fail(1011, "the connection to OpenAI broke");
        });
    }

    private void cancelDeadline() {
        var scheduled = deadline;
        if (scheduled != null) scheduled.cancel(false);
        var pinging = pings;
        if (pinging != null) pinging.cancel(false);
    }

    private void finish(String outcome, String error) {
        cancelDeadline();
        tap.finish(outcome, error);
    }

    /** The JDK client may not send the codes that only describe a broken connection or a protocol fault. */
    private static int sendable(int code, int fallback) {
        return switch (code) {
            case 1002, 1003, 1005, 1006, 1007, 1009, 1010, 1012, 1013, 1015 -> fallback;
            default -> code < 1000 || code > 4999 ? fallback : code;
        };
    }
}
