package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentDirectory;
import dev.switchboard.auth.Authenticator;
import dev.switchboard.auth.Caller;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * Voice sessions for agents: {@code POST /api/agent/realtime/session} {@code {"agentSessionId"}} prepares a
 * Realtime session from the agent session (its instructions, the voice) and returns the single-use credential
 * that opens it at {@code /v1/realtime}; {@code POST …/{id}/restart} prepares a new one for the same agent that
 * carries the old one's transcript; {@code GET …/{id}} shows a session with its transcript and usage, and
 * {@code GET …/{id}/speech} renders the transcript as audio.
 */
final class AgentVoiceRoutes {
    private final RequestBodies bodies;
    private final RealtimeModels models;
    private final RealtimeTokens tokens;
    private final AgentDirectory agents;
    private final VoiceSessionRepository sessions;
    private final Duration lifetime;
    private final TranscriptSpeech speech;

    AgentVoiceRoutes(RequestBodies bodies, RealtimeModels models, RealtimeTokens tokens, AgentDirectory agents,
                     VoiceSessionRepository sessions, Duration lifetime, TranscriptSpeech speech) {
        this.speech = speech;
        this.bodies = bodies;
        this.models = models;
        this.tokens = tokens;
        this.agents = agents;
        this.sessions = sessions;
        this.lifetime = lifetime;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/agent/realtime/session", this::create);
        routes.post("/api/agent/realtime/session/{id}/restart", this::restart);
        routes.get("/api/agent/realtime/session/{id}", this::retrieve);
        routes.get("/api/agent/realtime/session/{id}/speech", this::renderSpeech);
    }

    private void create(Context ctx) {
        models.requireEnabled();
        JsonNode body = bodies.json(ctx).json();
        JsonNode agentSessionId = body.path("agentSessionId");
        if (!agentSessionId.isTextual() || agentSessionId.asText().isBlank()) {
            throw new GatewayException(400, "invalid_request_error", "missing_required_parameter", "agentSessionId",
                    "Missing required parameter: 'agentSessionId'. Create an agent session with POST /api/agent/sessions first.");
        }
        Caller caller = Authenticator.caller(ctx);
        agents.find(caller.owner(), agentSessionId.asText())
                .orElseThrow(() -> GatewayException.notFound("Agent session '" + agentSessionId.asText() + "'"));
        String voice = models.voice(body.path("voice").asText(null));
        ctx.status(201).json(prepare(caller, agentSessionId.asText(), null, voice, Json.MAPPER.createArrayNode()));
    }

    private void restart(Context ctx) {
        models.requireEnabled();
        Caller caller = Authenticator.caller(ctx);
        String id = ctx.pathParam("id");
        ObjectNode previous = sessions.find(caller.owner(), id)
                .orElseThrow(() -> GatewayException.notFound("Realtime session '" + id + "'"));
        if (previous.path("agent_session_id").isNull()) {
            throw new GatewayException(409, "invalid_request_error", "agent_session_gone", null,
                    "The agent session of '" + id + "' has been deleted; create a new voice session.");
        }
        ctx.status(201).json(prepare(caller, previous.path("agent_session_id").asText(), id,
                previous.path("voice").asText(), previous.path("transcript")));
    }

    private void retrieve(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(sessions.find(Authenticator.caller(ctx).owner(), id)
                .orElseThrow(() -> GatewayException.notFound("Realtime session '" + id + "'")));
    }

    private void renderSpeech(Context ctx) {
        String id = ctx.pathParam("id");
        speech.render(ctx, sessions.find(Authenticator.caller(ctx).owner(), id)
                .orElseThrow(() -> GatewayException.notFound("Realtime session '" + id + "'")));
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
