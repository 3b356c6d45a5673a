package dev.switchboard.emulator.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.Script;
import dev.switchboard.emulator.ScriptBook;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.websocket.WsConfig;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /v1/realtime?model=...}: the Realtime API over a WebSocket, GA interface only; with
 * {@code ?call_id=} instead, a sideband connection to a WebRTC call's session (API key only). The key is checked
 * before the upgrade, as OpenAI does: a refused client gets an HTTP error, never an open socket.
 */
public final class RealtimeApi {
    /**
     * The longest client event taken: 16 MiB, room for the 15 MiB of audio OpenAI documents as the most one
     * {@code input_audio_buffer.append} may carry, with its envelope. A longer one closes the session with 1009.
     */
    public static final long MAX_EVENT_BYTES = 16L * 1024 * 1024;
    private static final String KEY_PROTOCOL = "openai-insecure-api-key.";

    private static final String MINTED_SESSION = "emulator.realtime.minted";

    private final ScriptBook scripts;
    private final ClientSecrets secrets;
    private final String apiKey;
    private final Map<String, RealtimeSession> open = new ConcurrentHashMap<>();
    private final Map<String, RealtimeCall> sidebands = new ConcurrentHashMap<>();
    private final RealtimeCallsApi calls;
    private final java.util.concurrent.atomic.AtomicLong clientEvents = new java.util.concurrent.atomic.AtomicLong();

    public RealtimeApi(ScriptBook scripts, ClientSecrets secrets, RealtimeCallsApi calls, String apiKey) {
        this.calls = calls;
        this.scripts = scripts;
        this.secrets = secrets;
        this.apiKey = apiKey;
    }

    /** Registers the Realtime routes: the WebSocket, client secrets and WebRTC calls. */
    public void register(RoutesConfig routes) {
        routes.wsBeforeUpgrade("/v1/realtime", this::checkUpgrade);
        routes.ws("/v1/realtime", this::configure);
        routes.post("/v1/realtime/client_secrets", secrets::create);
        routes.post("/v1/realtime/calls", calls::create);
        routes.post("/v1/realtime/calls/{id}/hangup", calls::hangup);
    }

    /** Runs before the upgrade: an unusable request is refused with the status OpenAI gives. */
    void checkUpgrade(Context ctx) {
        String key = Requests.bearerToken(ctx.header("Authorization"));
        if (key == null) {
            key = protocolKey(ctx.header("Sec-WebSocket-Protocol"));
            // Browsers fail a handshake that does not select one of the protocols they offered.
            if (key != null) ctx.header("Sec-WebSocket-Protocol", "realtime");
        }
        if (key == null || key.isEmpty()) {
            throw new HttpResponseException(401, "You didn't provide an API key.");
        }
        String callId = ctx.queryParam("call_id");
        if (key.startsWith("ek_")) {
            if (callId != null) throw new HttpResponseException(401, "A sideband connection needs an API key, not a client secret.");
            ObjectNode minted = secrets.redeem(key);
            if (minted == null) throw new HttpResponseException(401, "The client secret is unknown, used or expired.");
            ctx.attribute(MINTED_SESSION, minted);
            return;
        }
        if (apiKey != null && !apiKey.equals(key)) {
            throw new HttpResponseException(401, "Incorrect API key provided.");
        }
        String beta = ctx.header("OpenAI-Beta");
        if (beta != null && beta.contains("realtime=v1")) {
            throw new HttpResponseException(400, "The Realtime API beta interface is no longer supported; "
                    + "connect without 'OpenAI-Beta: realtime=v1'.");
        }
        if (callId != null) {
            if (calls.find(callId).isEmpty()) throw new HttpResponseException(404, "Call '" + callId + "' not found.");
            return;
        }
        String model = ctx.queryParam("model");
        if (model == null || model.isBlank()) {
            throw new HttpResponseException(400, "Missing required parameter: 'model'.");
        }
        Integer failStatus = scripts.forModel(model).failStatus();
        if (failStatus != null) {
            throw new HttpResponseException(failStatus, "The Realtime session was refused (emulated HTTP " + failStatus + ").");
        }
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            var call = calls.find(ctx.queryParam("call_id"));
            if (call.isPresent()) {
                sidebands.put(ctx.sessionId(), call.get());
                call.get().attach(ctx.session);
                return;
            }
            ObjectNode minted = ctx.attribute(MINTED_SESSION);
            // The model name may carry script directives (gpt-realtime;drop_after=3); the session reports it without.
            String requested = minted != null ? minted.path("model").asText() : ctx.queryParam("model");
            ObjectNode config = minted != null ? minted : RealtimeSession.defaultConfig(Script.baseModel(requested));
            RealtimeSession session = new RealtimeSession(config, scripts.forModel(requested), new SocketTransport(ctx.session));
            open.put(ctx.sessionId(), session);
            session.open();
        });
        ws.onMessage(ctx -> {
            RealtimeCall call = sidebands.get(ctx.sessionId());
            if (call != null) {
                call.clientEvent(ctx.message());
                return;
            }
            RealtimeSession session = open.get(ctx.sessionId());
            if (session != null) {
                clientEvents.incrementAndGet();
                session.onClientEvent(ctx.message());
            }
        });
        ws.onClose(ctx -> {
            RealtimeCall call = sidebands.remove(ctx.sessionId());
            if (call != null) call.detach(ctx.session);
            RealtimeSession session = open.remove(ctx.sessionId());
            if (session != null) session.close();
        });
    }

    public int openSessions() {
        return open.size();
    }

    /** Client events taken so far on Realtime WebSockets (sidebands not counted). */
    public long clientEvents() {
        return clientEvents.get();
    }

    /** Server events of the open WebSocket sessions still waiting to be written: a peer that stopped reading. */
    public long unwrittenEvents() {
        return open.values().stream().mapToLong(RealtimeSession::unwrittenEvents).sum();
    }

    private static String protocolKey(String protocols) {
        if (protocols == null) return null;
        for (String protocol : protocols.split(",")) {
            String trimmed = protocol.trim();
            if (trimmed.startsWith(KEY_PROTOCOL)) return trimmed.substring(KEY_PROTOCOL.length());
        }
        return null;
    }

    /** A session's events over its WebSocket. */
    private record SocketTransport(Session socket) implements RealtimeTransport {
        @Override
        public void send(String event, Runnable afterWritten) {
            socket.sendText(event, Callback.from(afterWritten, failed -> { }));
        }

        @Override
        public void drop() {
            socket.disconnect();
        }
    }
}
