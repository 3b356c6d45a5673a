package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.upstream.RecordedCall;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.RequestBodies;
import dev.switchboard.web.RequestIds;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * {@code POST /api/realtime/session}: with an SDP offer ({@code application/sdp} or {@code text/plain}), a WebRTC
 * call brokered through the gateway and answered with OpenAI's SDP answer; with {@code {"method": "client_secret"}},
 * a credential for one Realtime session, with the ICE servers a WebRTC client needs. By default the credential is the gateway's own single-use
 * token, good for {@code /v1/realtime} only, so the session passes through the gateway; with
 * {@code SWITCHBOARD_REALTIME_CLIENT_SECRETS=upstream} the operator chooses to hand out OpenAI's {@code ek_} secret.
 */
final class RealtimeSessionRoutes {
    private final RequestBodies bodies;
    private final RealtimeModels models;
    private final RealtimeTokens tokens;
    private final UpstreamClient upstream;
    private final boolean upstreamSecrets;
    private final Duration lifetime;
    private final ExchangeListener listener;
    private final RealtimeCalls calls;
    private final VoiceSessionRepository sessions;

    RealtimeSessionRoutes(RequestBodies bodies, RealtimeModels models, RealtimeTokens tokens, UpstreamClient upstream,
                          boolean upstreamSecrets, Duration lifetime, ExchangeListener listener, RealtimeCalls calls,
                          VoiceSessionRepository sessions) {
        this.listener = listener;
        this.calls = calls;
        this.sessions = sessions;
        this.bodies = bodies;
        this.models = models;
        this.tokens = tokens;
        this.upstream = upstream;
        this.upstreamSecrets = upstreamSecrets;
        this.lifetime = lifetime;
    }

    void register(ApiRoutes routes) {
        routes.get("/api/realtime/session", ApiRoute.key(), this::describe);
        // An offer makes a call: its model and Realtime slot are taken then (RealtimeCalls.start).
        routes.post("/api/realtime/session", ApiRoute.key(), this::create);
        routes.get("/api/realtime/session/{id}", ApiRoute.key(), this::retrieve);
        routes.post("/api/realtime/calls/{callId}/hangup", ApiRoute.key(), this::hangUp);
    }

    /** What a client needs before it makes its offer: the ICE servers, the models, the defaults. */
    private void describe(Context ctx) {
        models.requireEnabled();
        ObjectNode answer = Json.object().put("object", "realtime.configuration")
                .put("model", models.allowed(null)).put("voice", models.voice(null));
        answer.set("models", Json.MAPPER.valueToTree(models.offered()));
        answer.set("ice_servers", models.iceServers());
        ctx.json(answer);
    }

    private void create(Context ctx) {
        models.requireEnabled();
        if (SdpOffer.isSdpRequest(ctx)) {
            brokerCall(ctx);
            return;
        }
        JsonRequest request = bodies.json(ctx);
        String method = request.json().path("method").asText("");
        if (!method.equals("client_secret")) {
            throw GatewayException.invalidParam("method", "Unknown method '" + method + "'. Send {\"method\": \"client_secret\"} "
                    + "for a credential, then open the WebSocket at /v1/realtime with it.");
        }
        String model = models.allowed(request.json().path("model").asText(null));
        String voice = models.voice(request.json().path("voice").asText(null));
        Caller caller = Admitted.of(ctx).caller();
        ObjectNode answer = upstreamSecrets ? upstreamSecret(ctx, caller, model, voice) : gatewaySecret(caller, model, voice);
        answer.set("ice_servers", models.iceServers());
        ctx.json(answer);
    }

    /**
     * A WebRTC offer: the call is made upstream and the answer returned as {@code application/sdp}, with the
     * gateway's session id, OpenAI's call id and the ICE servers in headers ({@code ?model=} and {@code ?voice=}
     * choose the session).
     */
    private void brokerCall(Context ctx) {
        String offer = SdpOffer.read(ctx, bodies);
        String model = models.allowed(ctx.queryParam("model"));
        String voice = models.voice(ctx.queryParam("voice"));
        ObjectNode session = SessionConfig.of(model, voice, null, models.transcriptionModel(), null);
        RealtimeCalls.Started call = calls.start(Admitted.of(ctx),
                new RealtimeCalls.Plan(model, voice, session, null, null, null, Json.MAPPER.createArrayNode()), offer);
        ctx.status(201).contentType("application/sdp")
                .header("Location", "/api/realtime/session/" + call.sessionId())
                .header("X-Switchboard-Session-Id", call.sessionId())
                .header("X-Switchboard-Call-Id", call.callId())
                .header("X-Switchboard-Ice-Servers", Json.write(models.iceServers()))
                .result(call.answerSdp());
    }

    private void retrieve(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(sessions.get(Admitted.of(ctx).caller().owner(), id));
    }

    /**
     * Ends one of the caller's WebRTC calls and answers with its session as it is now: ended. The sideband adds the
     * usage when it closes.
     */
    private void hangUp(Context ctx) {
        models.requireEnabled();
        Caller caller = Admitted.of(ctx).caller();
        String callId = ctx.pathParam("callId");
        ObjectNode session = sessions.findCall(caller.owner(), callId)
                .orElseThrow(() -> GatewayException.notFound("Realtime call", callId));
        if (!session.path("status").asText().equals("ended")) {
            if (!calls.hangUp(caller, callId)) {
                throw new GatewayException(409, "invalid_request_error", "call_already_ended", null,
                        "OpenAI no longer knows the call '" + callId + "'; it has already ended.");
            }
            sessions.hungUp(session.path("id").asText());
        }
        ctx.json(sessions.get(caller.owner(), session.path("id").asText()));
    }

    private ObjectNode gatewaySecret(Caller caller, String model, String voice) {
        RealtimeTokens.Minted minted = tokens.mint(caller, lifetime);
        ObjectNode answer = Json.object().put("object", "realtime.client_secret").put("mode", "gateway");
        answer.putObject("client_secret").put("value", minted.token()).put("expires_at", minted.expiresAt());
        answer.put("url", "/v1/realtime?model=" + model).put("model", model).put("voice", voice);
        return answer;
    }

    private ObjectNode upstreamSecret(Context ctx, Caller caller, String model, String voice) {
        ObjectNode body = Json.object();
        body.putObject("expires_after").put("anchor", "created_at").put("seconds", lifetime.toSeconds());
        ObjectNode session = body.putObject("session").put("type", "realtime").put("model", model);
        session.putObject("audio").putObject("output").put("voice", voice);
        Exchange exchange = Admitted.of(ctx).exchange("/v1/realtime/client_secrets", model, false);
        RecordedCall.Answer answer = RecordedCall.send(upstream,
                UpstreamRequest.postJson("/realtime/client_secrets", body, RequestIds.of(ctx)), exchange);
        if (!answer.ok()) {
            throw new GatewayException(answer.status(), "upstream_error", "realtime_client_secret_refused", null,
                    "OpenAI refused the client secret: " + answer.errorMessage());
        }
        JsonNode secret = answer.json();
        ObjectNode result = Json.object().put("object", "realtime.client_secret").put("mode", "upstream");
        result.putObject("client_secret").put("value", secret.path("value").asText())
                .put("expires_at", secret.path("expires_at").asLong());
        result.put("model", model).put("voice", voice);
        result.set("session", secret.path("session"));
        return result;
    }
}
