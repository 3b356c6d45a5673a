package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentDirectory;
import dev.switchboard.agent.AgentSessionParam;
import dev.switchboard.auth.Caller;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * Voice sessions for agents: {@code POST /api/agent/realtime/session} {@code {"agentSessionId"}} (or
 * {@code session_id}, {@link AgentSessionParam}) prepares a Realtime session from the agent session (its
 * instructions, the voice) and returns the single-use credential that opens it at {@code /v1/realtime}, or, given the
 * client's WebRTC offer in {@code sdp}, makes the call at once and returns OpenAI's answer; {@code POST …/{id}/restart}
 * does the same for the same agent, carrying the old session's transcript (and hanging up its call);
 * {@code GET …/{id}} shows a session with its transcript and usage, and {@code GET …/{id}/speech} renders the
 * transcript as audio.
 */
final class AgentVoiceRoutes {
    private final RequestBodies bodies;
    private final RealtimeModels models;
    private final RealtimeTokens tokens;
    private final AgentDirectory agents;
    private final VoiceSessionRepository sessions;
    private final Duration lifetime;
    private final TranscriptSpeech speech;
    private final RealtimeCalls calls;
    private final dev.switchboard.agent.ToolExecutor tools;

    AgentVoiceRoutes(RequestBodies bodies, RealtimeModels models, RealtimeTokens tokens, AgentDirectory agents,
                     VoiceSessionRepository sessions, Duration lifetime, TranscriptSpeech speech, RealtimeCalls calls,
                     dev.switchboard.agent.ToolExecutor tools) {
        this.tools = tools;
        this.speech = speech;
        this.calls = calls;
        this.bodies = bodies;
        this.models = models;
        this.tokens = tokens;
        this.agents = agents;
        this.sessions = sessions;
        this.lifetime = lifetime;
    }

    void register(ApiRoutes routes) {
        // A session with an offer makes a call: its model and Realtime slot are taken then (RealtimeCalls.start).
        routes.post("/api/agent/realtime/session", ApiRoute.key(), this::create);
        routes.post("/api/agent/realtime/session/{id}/restart", ApiRoute.key(), this::restart);
        routes.get("/api/agent/realtime/session/{id}", ApiRoute.key(), this::retrieve);
        routes.get("/api/agent/realtime/session/{id}/speech", ApiRoute.key().endpoint("/v1/audio/speech"), this::renderSpeech);
    }

    private void create(Context ctx) {
        models.requireEnabled();
        JsonNode body = bodies.json(ctx).json();
        String agentSessionId = AgentSessionParam.required(body);
        Caller caller = Admitted.of(ctx).caller();
        ObjectNode agent = agents.find(caller.owner(), agentSessionId)
                .orElseThrow(() -> GatewayException.notFound("agent session", agentSessionId));
        String voice = models.voice(body.path("voice").asText(null));
        String offer = offer(body);
        ctx.status(201).json(offer == null
                ? prepare(caller, agentSessionId, null, voice, Json.MAPPER.createArrayNode())
                : call(ctx, caller, agent, null, voice, Json.MAPPER.createArrayNode(), offer));
    }

    private void restart(Context ctx) {
        models.requireEnabled();
        Caller caller = Admitted.of(ctx).caller();
        String id = ctx.pathParam("id");
        ObjectNode previous = sessions.get(caller.owner(), id);
        var agent = previous.path("agent_session_id").isNull() ? java.util.Optional.<ObjectNode>empty()
                : agents.find(caller.owner(), previous.path("agent_session_id").asText());
        if (agent.isEmpty()) {
            throw new GatewayException(409, "invalid_request_error", "agent_session_gone", null,
                    "The agent session of '" + id + "' has been deleted; create a new voice session.");
        }
        String offer = bodies.optionalJson(ctx).map(request -> offer(request.json())).orElse(null);
        String voice = previous.path("voice").asText();
        JsonNode transcript = previous.path("transcript");
        if (offer == null) {
            ctx.status(201).json(prepare(caller, agent.get().path("id").asText(), id, voice, transcript));
            return;
        }
        ObjectNode next = call(ctx, caller, agent.get(), id, voice, transcript, offer);
        // The call it replaces ends: a restart moves the conversation, it does not copy it.
        if (previous.path("kind").asText().equals("webrtc") && previous.path("status").asText().equals("active")) {
            calls.hangUpQuietly(caller, previous.path("upstream_id").asText());
        }
        ctx.status(201).json(next);
    }

    /** The SDP offer in a body's {@code sdp}, checked; null when the client wants a WebSocket session instead. */
    private static String offer(JsonNode body) {
        JsonNode sdp = body.path("sdp");
        return sdp.isMissingNode() || sdp.isNull() ? null : SdpOffer.check(sdp.asText(), "sdp");
    }

    /**
     * A WebRTC call for the agent session, made now: the answer to the client's offer comes back in {@code answer},
     * and the earlier transcript, if any, is carried into the call through the gateway's sideband.
     */
    private ObjectNode call(Context ctx, Caller caller, ObjectNode agent, String previousId, String voice, JsonNode carried,
                            String offer) {
        String model = models.allowed(null);
        JsonNode enabled = agent.path("tools");
        ObjectNode session = SessionConfig.of(model, voice, agent.path("instructions").asText(null),
                models.transcriptionModel(), tools.definitions(enabled));
        RealtimeCalls.Started started = calls.start(Admitted.of(ctx),
                new RealtimeCalls.Plan(model, voice, session, agent.path("id").asText(), enabled, previousId, carried), offer);
        ObjectNode row = started.row();
        row.putObject("answer").put("type", "answer").put("sdp", started.answerSdp());
        row.set("ice_servers", models.iceServers());
        return row;
    }

    private void retrieve(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(sessions.get(Admitted.of(ctx).caller().owner(), id));
    }

    private void renderSpeech(Context ctx) {
        String id = ctx.pathParam("id");
        speech.render(ctx, sessions.get(Admitted.of(ctx).caller().owner(), id));
    }

    private ObjectNode prepare(Caller caller, String agentSessionId, String previousId, String voice, JsonNode carried) {
        String id = VoiceSessionRepository.newId();
        RealtimeTokens.Minted minted = tokens.mintFor(caller, id, lifetime);
        ObjectNode session = sessions.insert(id, VoiceSessionRepository.Kind.REALTIME, caller.owner(), agentSessionId, previousId, models.allowed(null), voice,
                minted.expiresAt(), carried);
        session.putObject("client_secret").put("value", minted.token()).put("expires_at", minted.expiresAt());
        session.put("url", "/v1/realtime");
        session.set("ice_servers", models.iceServers());
        return session;
    }
}
