package dev.switchboard.emulator.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.MultipartForm;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.Script;
import dev.switchboard.emulator.ScriptBook;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /v1/realtime/calls}: a WebRTC call, as OpenAI makes it. The body is the client's SDP offer, either
 * raw ({@code application/sdp}, with the session an {@code ek_} secret was minted with) or as the {@code sdp} part
 * of a {@code multipart/form-data} body whose {@code session} part configures the session. The answer is 201 with
 * the SDP answer and {@code Location: /v1/realtime/calls/{call_id}}. {@code POST …/{call_id}/hangup} ends a call.
 */
public final class RealtimeCallsApi {
    /**
     * The largest SDP offer answered. Real offers are a few KB; libwebrtc takes minutes over a multi-megabyte one,
     * so a larger offer is refused before any peer is made.
     */
    static final int MAX_OFFER_BYTES = 64 * 1024;

    private final ScriptBook scripts;
    private final ClientSecrets secrets;
    private final Map<String, RealtimeCall> calls = new ConcurrentHashMap<>();

    public RealtimeCallsApi(ScriptBook scripts, ClientSecrets secrets) {
        this.scripts = scripts;
        this.secrets = secrets;
    }

    void create(Context ctx) {
        String contentType = String.valueOf(ctx.contentType()).toLowerCase(Locale.ROOT);
        String token = Requests.bearerToken(ctx.header("Authorization"));
        ObjectNode config;
        String offer;
        if (contentType.startsWith("application/sdp")) {
            // Refused before a client secret is spent on it (and, by its declared length, before it is read).
            if (ctx.contentLength() > MAX_OFFER_BYTES) {
                offerTooLarge(ctx, ctx.contentLength());
                return;
            }
            offer = ctx.body();
            if (offer.length() > MAX_OFFER_BYTES) {
                offerTooLarge(ctx, offer.length());
                return;
            }
            if (token == null || !token.startsWith("ek_")) {
                ApiErrors.badRequest(ctx, "A raw SDP offer needs a client secret (ek_...) that carries the session; "
                        + "with an API key, send multipart/form-data with the parts 'sdp' and 'session'.");
                return;
            }
            config = secrets.redeem(token);
            if (config == null) {
                ApiErrors.send(ctx, 401, "invalid_request_error", "invalid_api_key", "The client secret is unknown, used or expired.");
                return;
            }
        } else if (contentType.startsWith("multipart/form-data")) {
            Map<String, String> parts = MultipartForm.parse(ctx.contentType(), ctx.bodyAsBytes());
            if (parts == null) {
                ApiErrors.badRequest(ctx, "The multipart/form-data Content-Type names no boundary.");
                return;
            }
            offer = parts.get("sdp");
            config = session(ctx, parts.get("session"));
            if (config == null) return;
        } else {
            ApiErrors.badRequest(ctx, "Unsupported Content-Type '" + ctx.contentType() + "': send the SDP offer as "
                    + "application/sdp, or as multipart/form-data with the parts 'sdp' and 'session'.");
            return;
        }
        if (offer != null && offer.length() > MAX_OFFER_BYTES) {
            offerTooLarge(ctx, offer.length());
            return;
        }
        if (offer == null || !offer.stripLeading().startsWith("v=0")) {
            ApiErrors.badRequest(ctx, "Invalid 'sdp': expected a WebRTC SDP offer starting with 'v=0'.");
            return;
        }
        String requested = config.path("model").asText("gpt-realtime");
        config.put("model", Script.baseModel(requested));
        Script script = scripts.forModel(requested);
        if (script.failStatus() != null) {
            ApiErrors.scripted(ctx, script);
            return;
        }
        String id = Ids.next("rtc_");
        RealtimeCall call = new RealtimeCall(id, transport -> new RealtimeSession(config, script, transport), ended -> calls.remove(ended.id()));
        WebRtcPeer peer;
        try {
            peer = WebRtcPeer.answer(offer, call);
        } catch (WebRtcPeer.Unavailable e) {
            call.hangUp();
            if (e.offerRefused()) ApiErrors.badRequest(ctx, e.getMessage());
            else ApiErrors.send(ctx, 500, "server_error", null, e.getMessage());
            return;
        }
        calls.put(id, call);
        call.peer(peer);
        ctx.status(201).header("Location", "/v1/realtime/calls/" + id).contentType("application/sdp").result(peer.answerSdp());
    }

    void hangup(Context ctx) {
        RealtimeCall call = calls.get(ctx.pathParam("id"));
        if (call == null) {
            ApiErrors.notFound(ctx, "Call '" + ctx.pathParam("id") + "'");
            return;
        }
        call.hangUp();
        ctx.status(200).contentType("application/json").result("{}");
    }

    public Optional<RealtimeCall> find(String id) {
        return Optional.ofNullable(id == null ? null : calls.get(id));
    }

    public int active() {
        return calls.size();
    }

    /** Ends every call, as a stopping server does. */
    public void hangUpAll() {
        calls.values().forEach(RealtimeCall::hangUp);
    }

    private static void offerTooLarge(Context ctx, long size) {
        ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_sdp", "Invalid 'sdp': the offer is " + size
                + " bytes long, over the limit of " + MAX_OFFER_BYTES + " bytes.");
    }

    /** The session a multipart offer asks for: the default, with what the {@code session} part sets. */
    private static ObjectNode session(Context ctx, String json) {
        ObjectNode requested = Json.obj();
        if (json != null && !json.isBlank()) {
            try {
                JsonNode parsed = Json.parse(json);
                if (!parsed.isObject()) throw new IOException("not an object");
                requested = (ObjectNode) parsed;
            } catch (IOException e) {
                ApiErrors.badRequest(ctx, "Invalid 'session': expected a JSON object.");
                return null;
            }
        }
        if (!requested.path("type").asText("realtime").equals("realtime")) {
            ApiErrors.badRequest(ctx, "Invalid 'session.type': a WebRTC call carries a 'realtime' session.");
            return null;
        }
        ObjectNode config = RealtimeSession.defaultConfig(requested.path("model").asText("gpt-realtime"));
        RealtimeSession.merge(config, requested);
        return config;
    }
}
