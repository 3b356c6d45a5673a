package dev.switchboard.realtime;

import dev.switchboard.agent.AgentModule;
import dev.switchboard.agent.ToolExecutor;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.config.Settings;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.RequestBodies;
import java.net.http.HttpClient;
import org.jdbi.v3.core.Jdbi;

/** Realtime, wired: the session and call broker, the WebSocket relay and the single-use tokens they share. */
public final class RealtimeModule implements Capability {
    private final HttpClient webSockets;
    private final RealtimeRelay relay;
    private final RealtimeSessionRoutes sessions;
    private final AgentVoiceRoutes agentVoices;
    private final RealtimeCalls calls;
    private final RealtimeAdminRoutes admin;

    /** Voice sessions run the agents' tools (AgentModule comes earlier). */
    public RealtimeModule(Foundations f) {
        this(f.settings(), f.streamTokens(), f.jdbi(), f.upstream(), f.bodies(), f.listener(), f.recorder(),
                f.capability(AgentModule.class).executor());
        f.metrics().gauge("switchboard.realtime.sessions.active", "Realtime sessions being relayed now", this::openSessions);
    }

    private RealtimeModule(Settings settings, StreamTokens streamTokens, Jdbi jdbi,
                          UpstreamClient upstream, RequestBodies bodies, ExchangeListener listener, RequestRecorder recorder,
                          ToolExecutor tools) {
        var connectTimeout = settings.upstream().connectTimeout();
        this.admin = new RealtimeAdminRoutes(jdbi);
        this.webSockets = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        var models = new RealtimeModels(settings.features().realtimeEnabled(), settings.models());
        var tokens = new RealtimeTokens(streamTokens, jdbi);
        var lifetime = settings.features().realtimeSecretLifetime();
        var leg = new UpstreamLeg(webSockets, upstream.baseUrl(), upstream.apiKey().reveal(), connectTimeout,
                settings.server().maxWebSocketMessageBytes(), upstream::calling);
        var voiceSessions = new VoiceSessionRepository(jdbi);
        this.relay = new RealtimeRelay(tokens, lifetime,
                settings.features().realtimeMaxSession(), leg, models, listener, recorder, voiceSessions, tools,
                settings.server().maxWebSocketMessageBytes());
        this.calls = new RealtimeCalls(upstream, leg, voiceSessions, listener, recorder, settings.features().realtimeMaxSession(), tools);
        this.agentVoices = new AgentVoiceRoutes(bodies, models, tokens, new dev.switchboard.agent.AgentDirectory(jdbi),
                voiceSessions, lifetime, new TranscriptSpeech(upstream, settings.models(), listener), calls, tools);
        this.sessions = new RealtimeSessionRoutes(bodies, models, tokens, upstream,
                settings.features().realtimeUpstreamSecrets(), lifetime, listener, calls, voiceSessions);
    }

    @Override
    public void register(ApiRoutes routes) {
        admin.register(routes);
        relay.register(routes);
        sessions.register(routes);
        agentVoices.register(routes);
    }

    /** Realtime sessions being relayed now, and WebRTC calls being watched. */
    public int openSessions() {
        return relay.openSessions() + calls.active();
    }

    @Override
    public void close() {
        calls.close();
        webSockets.close();
    }
}
