package dev.switchboard.realtime;

import dev.switchboard.auth.Authenticator;
import dev.switchboard.auth.Caller;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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

    private final Authenticator authenticator;
    private final RealtimeTokens tokens;
    private final Duration tokenLifetime;
    private final Duration maxSession;
    private final UpstreamLeg upstream;
    private final RealtimeModels models;
    private final ExchangeListener listener;
    private final RequestRecorder recorder;
    private final VoiceSessionRepository voiceSessions;
    private final dev.switchboard.agent.ToolExecutor tools;
    private final Limits limits;
    private final long maxMessageBytes;
    private final Map<String, RealtimeBridge> open = new ConcurrentHashMap<>();

    RealtimeRelay(Authenticator authenticator, RealtimeTokens tokens, Duration tokenLifetime,
                  Duration maxSession, UpstreamLeg upstream, RealtimeModels models, ExchangeListener listener,
                  RequestRecorder recorder, VoiceSessionRepository voiceSessions, dev.switchboard.agent.ToolExecutor tools,
                  Limits limits, long maxMessageBytes) {
        this.limits = limits;
        this.maxMessageBytes = maxMessageBytes;
        this.voiceSessions = voiceSessions;
        this.tools = tools;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.tokenLifetime = tokenLifetime;
        this.maxSession = maxSession;
        this.upstream = upstream;
        this.models = models;
        this.listener = listener;
        this.recorder = recorder;
    }

    void register(RoutesConfig routes) {
        routes.wsBeforeUpgrade("/v1/realtime", this::beforeUpgrade);
        routes.ws("/v1/realtime", this::configure);
        routes.post("/api/realtime/tokens", this::mintToken);
    }

    /** Sessions being relayed now. */
    public int openSessions() {
        return open.size();
    }

    private void beforeUpgrade(Context ctx) {
        models.requireEnabled();
        Caller caller = authenticator.upgradeCaller(ctx, TOKEN_SCOPE);
        // A token minted for an agent's voice session opens that session, whatever the URL says.
        var voice = Optional.ofNullable(RealtimeTokens.tokenId(caller)).flatMap(voiceSessions::pending);
        String model = voice.isPresent() ? voice.get().model() : models.allowed(ctx.queryParam("model"));
        // Upgrades pass no before-handler: the key's limits are checked here.
        limits.admit(caller, "/v1/realtime");
        limits.requireModel(caller, model);
        Limits.Slot slot = limits.openRealtime(caller);
        try {
            open(ctx, caller, voice, model, slot);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    private void open(Context ctx, Caller caller, Optional<VoiceSessionRepository.Pending> voice, String model, Limits.Slot slot) {
        // Spent only once the request is otherwise acceptable: a refused model does not cost the client its token.
        tokens.spend(caller);
        String requestId = RequestIds.of(ctx);
        Exchange exchange = new Exchange(requestId, caller.keyId(), caller.keyName(), caller.owner(), "/v1/realtime",
                model, true, listener);
        RealtimeBridge bridge = new RealtimeBridge(exchange, recorder);
        try {
            bridge.upstream(upstream.open(requestId, model, bridge));
        } catch (UpstreamLeg.Refused refused) {
            exchange.answered(refused.status, null);
            exchange.finish("upstream_unavailable", refused.getMessage());
            int status = refused.status == 0 || refused.status == 401 || refused.status == 403 ? 502 : refused.status;
            throw new GatewayException(status, "upstream_error", "realtime_upstream_refused", null, refused.getMessage());
        }
        SessionObserver allowance = new RealtimeAllowance(limits.budget(caller), slot, bridge::endAfterThisEvent);
        bridge.observer(allowance);
        if (voice.isPresent()) {
            var pending = voice.get();
            bridge.session(pending.id(), tools::toolName);
            bridge.observer(SessionObserver.all(allowance, new VoiceSessionRecorder(pending.id(), voiceSessions),
                    new VoiceTools(tools, caller, pending.id(), pending.tools(), bridge::sendUpstream)));
            try {
                VoiceSetup.events(pending, models.transcriptionModel(), tools.definitions(pending.tools())).forEach(bridge::sendUpstream);
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
        if (offered != null && offered.contains(Authenticator.KEY_SUBPROTOCOL)) ctx.header("Sec-WebSocket-Protocol", "realtime");
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
        RealtimeTokens.Minted minted = tokens.mint(Authenticator.caller(ctx), tokenLifetime);
        ctx.json(Json.object().put("object", "realtime.token").put("token", minted.token())
                .put("expires_at", minted.expiresAt()));
    }
}
