package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.upstream.RecordedCall;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brokers WebRTC calls: the client's SDP offer goes to OpenAI's {@code POST /v1/realtime/calls} with the session
 * the gateway chose, the answer goes back, and the gateway keeps hold of the call through its sideband WebSocket:
 * the transcript and usage are written to {@code chatkit_sessions} as the call goes, and a call that reaches the
 * maximum session length is hung up. A call whose sideband cannot be opened is hung up at once rather than left
 * running unwatched.
 */
final class RealtimeCalls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeCalls.class);
    /** How long a hung-up call's sideband may take to close before the gateway stops waiting for it. */
    private static final Duration HANG_UP_GRACE = Duration.ofSeconds(10);

    /**
     * What to ask for: the session, the agent session it serves (null for none) and the tools it enables (run by
     * the gateway when the model calls them), the session it restarts and the transcript carried from it.
     */
    record Plan(String model, String voice, ObjectNode session, String agentSessionId, JsonNode tools, String previousId,
                JsonNode carried) {}

    /** A call made: the gateway's session id, OpenAI's call id, the SDP answer, and the stored row. */
    record Started(String sessionId, String callId, String answerSdp, ObjectNode row) {}

    private record Watched(CallSideband sideband, ScheduledFuture<?> deadline) {}

    private final UpstreamClient upstream;
    private final UpstreamLeg leg;
    private final VoiceSessionRepository sessions;
    private final ExchangeListener listener;
    private final RequestRecorder recorder;
    private final Duration maxSession;
    private final dev.switchboard.agent.ToolExecutor tools;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();

    RealtimeCalls(UpstreamClient upstream, UpstreamLeg leg, VoiceSessionRepository sessions, ExchangeListener listener,
                  RequestRecorder recorder, Duration maxSession, dev.switchboard.agent.ToolExecutor tools) {
        this.tools = tools;
        this.upstream = upstream;
        this.leg = leg;
        this.sessions = sessions;
        this.listener = listener;
        this.recorder = recorder;
        this.maxSession = maxSession;
    }

    /**
     * Makes the call upstream and starts watching it.
     *
     * @throws GatewayException with OpenAI's status and message when it refuses the call; 502 when the sideband
     *                          cannot be opened (the call is hung up)
     */
    Started start(Admitted admitted, Plan plan, String offer) {
        // The model and the session slot are known only now (a voice session may or may not make a call).
        admitted.requireModel(plan.model());
        Limits.Slot slot = admitted.openRealtime();
        try {
            return call(admitted, plan, offer, slot);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    private Started call(Admitted admitted, Plan plan, String offer, Limits.Slot slot) {
        Caller caller = admitted.caller();
        String requestId = admitted.requestId();
        Map<String, Map.Entry<String, String>> parts = new LinkedHashMap<>();
        parts.put("sdp", Map.entry("application/sdp", offer));
        parts.put("session", Map.entry("application/json", Json.write(plan.session())));
        Exchange exchange = admitted.exchange("/v1/realtime/calls", plan.model(), false);
        RecordedCall.Answer answer = RecordedCall.send(upstream, UpstreamRequest.postForm("/realtime/calls", parts, requestId), exchange);
        if (!answer.ok()) {
            // OpenAI refusing the gateway's own key is the gateway's fault, not the client's.
            int status = answer.status() == 401 || answer.status() == 403 ? 502 : answer.status();
            throw new GatewayException(status, status == 502 ? "upstream_error" : "invalid_request_error", "realtime_call_refused",
                    null, "OpenAI refused the call: " + answer.errorMessage());
        }
        String location = answer.headers().firstValue("Location").orElse("");
        String callId = location.substring(location.lastIndexOf('/') + 1);
        if (callId.isBlank()) {
            throw new GatewayException(502, "upstream_error", "realtime_call_refused", null,
                    "OpenAI answered the call without a Location header naming it; the call cannot be watched.");
        }
        String sessionId = VoiceSessionRepository.newId();
        long expiresAt = System.currentTimeMillis() / 1000 + maxSession.toSeconds();
        ObjectNode row = sessions.insert(sessionId, VoiceSessionRepository.Kind.WEBRTC, caller.owner(), plan.agentSessionId(),
                plan.previousId(), plan.model(), plan.voice(), expiresAt, plan.carried());
        sessions.started(sessionId, callId);
        watch(caller, sessionId, callId, plan, slot, admitted.budget());
        row.put("upstream_id", callId).put("status", "active");
        return new Started(sessionId, callId, new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8), row);
    }

    /** Asks OpenAI to end the call; the sideband's close then records the end. False when OpenAI did not know it. */
    boolean hangUp(Caller caller, String callId) {
        Exchange exchange = new Exchange(RequestIds.next(), caller.keyId(), caller.keyName(), caller.owner(),
                "/v1/realtime/calls/hangup", null, false, listener);
        RecordedCall.Answer answer = RecordedCall.send(upstream, new UpstreamRequest("POST",
                "/realtime/calls/" + callId + "/hangup", null, null, Map.of(), exchange.requestId()), exchange);
        return answer.ok();
    }

    /** Calls watched now. */
    int active() {
        return watched.size();
    }

    @Override
    public void close() {
        watched.values().forEach(call -> call.sideband().abort());
    }

    private void watch(Caller caller, String sessionId, String callId, Plan plan, Limits.Slot slot, Limits.Budget budget) {
        Exchange exchange = new Exchange(RequestIds.next(), caller.keyId(), caller.keyName(), caller.owner(),
                "/v1/realtime?call_id", plan.model(), true, listener);
        EventTap tap = new EventTap(exchange, recorder);
        tap.session(sessionId);
        tap.toolNames(tools::toolName);
        CallSideband sideband = new CallSideband(callId, tap, () -> ended(callId));
        SessionObserver transcript = new VoiceSessionRecorder(sessionId, sessions);
        // A call whose response uses up the key's budget is hung up after that response.
        SessionObserver allowance = new RealtimeAllowance(budget, slot, why -> {
            sideband.endingAs("token_budget_exhausted");
            hangUpQuietly(caller, callId);
        });
        tap.observer(plan.tools() == null || plan.tools().isEmpty() ? SessionObserver.all(allowance, transcript)
                : SessionObserver.all(allowance, transcript, new VoiceTools(tools, caller, sessionId, plan.tools(), sideband::send)));
        ScheduledFuture<?> deadline = Deadlines.TIMER.schedule(() -> {
            sideband.endingAs("max_session_length");
            hangUpQuietly(caller, callId);
            Deadlines.TIMER.schedule(sideband::abort, HANG_UP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }, maxSession.toMillis(), TimeUnit.MILLISECONDS);
        // Watched before the sideband opens: a call that ends at once still finds its entry to clear.
        watched.put(callId, new Watched(sideband, deadline));
        try {
            sideband.start(leg.openSideband(exchange.requestId(), callId, sideband));
        } catch (UpstreamLeg.Refused refused) {
            ended(callId);
            exchange.answered(refused.status, null);
            tap.finish("upstream_unavailable", refused.getMessage());
            hangUpQuietly(caller, callId);
            throw new GatewayException(502, "upstream_error", "realtime_sideband_refused", null,
                    "The call could not be watched (" + refused.getMessage() + "), so it was hung up; try again.");
        }
        exchange.answered(101, null);
        for (String item : SessionConfig.carriedItems(plan.carried())) sideband.send(item);
    }

    private void ended(String callId) {
        Watched call = watched.remove(callId);
        if (call != null) call.deadline().cancel(false);
    }

    /** Hangs a call up, logging instead of failing when OpenAI cannot (the call may have ended already). */
    void hangUpQuietly(Caller caller, String callId) {
        try {
            if (!hangUp(caller, callId)) LOG.warn("OpenAI did not hang up call {}: it may already have ended", callId);
        } catch (RuntimeException e) {
            LOG.warn("Could not hang up call {}: {}", callId, e.toString());
        }
    }
}
