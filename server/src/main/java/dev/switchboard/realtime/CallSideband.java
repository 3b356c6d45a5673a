package dev.switchboard.realtime;

import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's sideband WebSocket to one WebRTC call ({@code ?call_id=}): it sees the call's events as the
 * client's data channel does, so the transcript, the usage and the debug log are kept for calls the gateway never
 * carries, and it can speak into the session (a restarted session's transcript). The call ends when OpenAI closes
 * the sideband: the client hung up, or the gateway did.
 */
final class CallSideband extends WholeEvents {
    private static final Logger LOG = LoggerFactory.getLogger(CallSideband.class);

    private final String callId;
    private final EventTap tap;
    private final Runnable onEnd;
    private volatile WebSocket socket;
    private volatile UpstreamOutbox outbox;
    private volatile String endOutcome = "completed";

    CallSideband(String callId, EventTap tap, Runnable onEnd) {
        this.callId = callId;
        this.tap = tap;
        this.onEnd = onEnd;
    }

    /** The socket is open: events may flow. */
    void start(WebSocket socket) {
        this.socket = socket;
        this.outbox = new UpstreamOutbox(socket);
        socket.request(1);
    }

    /**
     * An event of the gateway's own into the session, sent after those already queued; returns at once, holding no
     * lock while it is written. One OpenAI does not take within 30 s gives the sideband up.
     */
    void send(String event) {
        tap.observe("client", event);
        outbox.send(event).orTimeout(30, TimeUnit.SECONDS).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("Realtime sideband of call {} did not take an event: {}", callId, error.toString());
                abort();
            }
        });
    }

    /** How the call is recorded when it ends: the gateway hung it up for running too long, say. */
    void endingAs(String outcome) {
        endOutcome = outcome;
    }

    /** Gives the sideband up without waiting for OpenAI (the gateway is stopping, or the hang-up was not heard). */
    void abort() {
        WebSocket leg = socket;
        if (leg != null) leg.abort();
        end("aborted", "the sideband was closed by the gateway");
    }

    @Override
    protected void onEvent(String text) {
        tap.exchange().eventRelayed();
        tap.observe("upstream", text);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        end(endOutcome, statusCode == 1000 || statusCode == 1005 ? null : "closed with " + statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        LOG.warn("Realtime sideband of call {} failed: {}", callId, error.toString());
        end("failed", error instanceof WholeMessages.TooLarge ? error.getMessage() : "the sideband connection broke");
    }

    private void end(String outcome, String error) {
        tap.finish(outcome, error);
        onEnd.run();
    }
}
