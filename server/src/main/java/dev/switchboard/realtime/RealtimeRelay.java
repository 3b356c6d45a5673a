package dev.switchboard.realtime;

import dev.switchboard.auth.Caller;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.Admission;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException;

/**
 * {@code GET /v1/realtime} (WebSocket): a client's Realtime session relayed to OpenAI with the gateway's key. The
 * caller and the model are checked, and the upstream leg opened, before the client's upgrade is accepted; a
 * refused client gets an OpenAI-shaped HTTP error and never an open socket. {@code POST /api/realtime/tokens} mints
 * short-lived tokens for browsers, which pass them in the {@code openai-insecure-api-key.} subprotocol.
 */
public final class RealtimeRelay {
    /** The scope of gateway tokens that open Realtime sessions. */
    public static final String TOKEN_SCOPE = "realtime";
    private static final String PENDING = "switchboard.realtime.bridge";

    private final RealtimeTokens tokens;
    private final Duration tokenLifetime;
    private final Duration maxSession;
    private final UpstreamLeg upstream;
    private final RealtimeModels models;
    private final ExchangeListener listener;
    private final RequestRecorder recorder;
    private final VoiceSessionRepository voiceSessions;
    private final dev.switchboard.agent.ToolExecutor tools;
    private final long maxMessageBytes;
    private final Map<String, RealtimeBridge> open = new ConcurrentHashMap<>();

    RealtimeRelay(RealtimeTokens tokens, Duration tokenLifetime,
                  Duration maxSession, UpstreamLeg upstream, RealtimeModels models, ExchangeListener listener,
                  RequestRecorder recorder, VoiceSessionRepository voiceSessions, dev.switchboard.agent.ToolExecutor tools,
                  long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
        this.voiceSessions = voiceSessions;
        this.tools = tools;
        this.tokens = tokens;
        this.tokenLifetime = tokenLifetime;
        this.maxSession = maxSession;
        this.upstream = upstream;
        this.models = models;
        this.listener = listener;
        this.recorder = recorder;
    }

    void register(ApiRoutes routes) {
        // Upgrades are admitted before they happen (every refusal is an HTTP error); the session takes the slot.
        routes.ws("/v1/realtime", ApiRoute.keyOrStreamToken(TOKEN_SCOPE).realtimeSession().modelFrom(this::sessionModel),
                this::beforeUpgrade, this::configure);
        // The same URL without an upgrade is admitted like any route (a bad key is a 401), then told what it is.
        routes.get("/v1/realtime", ApiRoute.keyOrStreamToken(TOKEN_SCOPE), ctx -> {
            throw new GatewayException(426, "invalid_request_error", "websocket_required", null,
                    "/v1/realtime is a WebSocket: open it with an upgrade (wss://), not a plain HTTP request.");
        });
        routes.post("/api/realtime/tokens", ApiRoute.key(), this::mintToken);
    }

    /** Sessions being relayed now. */
    public int openSessions() {
        return open.size();
    }

    /** The session's model: a voice session's token opens that session's, whatever the URL says. */
    private String sessionModel(Context ctx) {
        models.requireEnabled();
        var voice = voiceSession(Admitted.of(ctx).caller());
        return voice.isPresent() ? voice.get().model() : models.allowed(ctx.queryParam("model"));
    }

    private Optional<VoiceSessionRepository.Pending> voiceSession(Caller caller) {
        return Optional.ofNullable(RealtimeTokens.tokenId(caller)).flatMap(voiceSessions::pending);
    }

    private void beforeUpgrade(Context ctx) {
        Admitted admitted = Admitted.of(ctx);
        Caller caller = admitted.caller();
        var voice = voiceSession(caller);
        String model = admitted.model();
        Limits.Slot slot = admitted.handOver();
        try {
            open(ctx, admitted, voice, model, slot);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    private void open(Context ctx, Admitted admitted, Optional<VoiceSessionRepository.Pending> voice, String model,
                      Limits.Slot slot) {
        Caller caller = admitted.caller();
        // Spent only once the request is otherwise acceptable: a refused model does not cost the client its token.
        tokens.spend(caller);
        String requestId = admitted.requestId();
        Exchange exchange = admitted.exchange();
        RealtimeBridge bridge = new RealtimeBridge(exchange, recorder);
        try {
            bridge.upstream(upstream.open(requestId, model, bridge));
        } catch (UpstreamLeg.Refused refused) {
            exchange.answered(refused.status, null);
            exchange.finish("upstream_unavailable", refused.getMessage());
            int status = refused.status == 0 || refused.status == 401 || refused.status == 403 ? 502 : refused.status;
            throw new GatewayException(status, "upstream_error", "realtime_upstream_refused", null, refused.getMessage());
        }
        SessionObserver allowance = new RealtimeAllowance(admitted.budget(), slot, bridge::endAfterThisEvent);
        bridge.observer(allowance);
        if (voice.isPresent()) {
            var pending = voice.get();
            bridge.session(pending.id(), tools::toolName);
            bridge.observer(SessionObserver.all(allowance, new VoiceSessionRecorder(pending.id(), voiceSessions),
                    new VoiceTools(tools, caller, pending.id(), pending.tools(), bridge::sendUpstream)));
            try {
                // Taken before the client's upgrade is answered: a set-up OpenAI refuses is an HTTP error, not a
                // socket that opens and dies. Waited for here, with no lock held.
                CompletableFuture.allOf(VoiceSetup.events(pending, models.transcriptionModel(), tools.definitions(pending.tools()))
                        .stream().map(bridge::sendUpstream).toArray(CompletableFuture[]::new)).join();
            } catch (RuntimeException e) {
                bridge.fail(1011, "the voice session could not be set up");
                throw new GatewayException(502, "upstream_error", "realtime_upstream_refused", null,
                        "OpenAI did not take the voice session's set-up; try again.");
            }
        }
        exchange.answered(101, null);
        ctx.header(RequestIds.HEADER, requestId);
        // Browsers fail a handshake that does not select one of the subprotocols they offered.
        String offered = ctx.header("Sec-WebSocket-Protocol");
        if (offered != null && offered.contains(Admission.KEY_SUBPROTOCOL)) ctx.header("Sec-WebSocket-Protocol", "realtime");
        ctx.attribute(PENDING, bridge);
        bridge.abandonUnlessAttached(Duration.ofSeconds(10));
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            RealtimeBridge bridge = ctx.attribute(PENDING);
            open.put(ctx.sessionId(), bridge);
            bridge.attach(ctx.session, maxSession);
        });
        ws.onMessage(ctx -> {
            RealtimeBridge bridge = open.get(ctx.sessionId());
            if (bridge != null) bridge.fromClient(ctx.message());
        });
        ws.onBinaryMessage(ctx -> {
            RealtimeBridge bridge = open.get(ctx.sessionId());
            if (bridge != null) bridge.fail(1003, "Realtime events are JSON text frames; binary frames are not accepted");
        });
        ws.onClose(ctx -> {
            RealtimeBridge bridge = open.remove(ctx.sessionId());
            if (bridge != null) bridge.clientClosed(ctx.status(), ctx.reason());
        });
        ws.onError(ctx -> {
            RealtimeBridge bridge = open.remove(ctx.sessionId());
            if (bridge == null) return;
            // A client event over the limit (HttpServer sets it): Jetty has already closed the client with 1009 and
            // its own reason; the upstream leg is closed, and the request log names the setting.
            if (ctx.error() instanceof MessageTooLargeException) {
                bridge.fail(1009, "An event is over this gateway's limit of " + maxMessageBytes
                        + " bytes (SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES)", "message_too_large");
            } else {
                bridge.fail(1011, "the client connection failed");
            }
        });
    }

    private void mintToken(Context ctx) {
        models.requireEnabled();
        RealtimeTokens.Minted minted = tokens.mint(Admitted.of(ctx).caller(), tokenLifetime);
        ctx.json(Json.object().put("object", "realtime.token").put("token", minted.token())
                .put("expires_at", minted.expiresAt()));
    }
}
