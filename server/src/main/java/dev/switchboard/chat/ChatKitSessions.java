package dev.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.realtime.ChatKitRecords;
import dev.switchboard.upstream.RecordedCall;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * ChatKit sessions: {@code POST /api/chatkit/session} creates one upstream for the configured workflow
 * ({@code OPENAI_CHATKIT_WORKFLOW_ID}), with the caller's owner as its {@code user}, records it in
 * {@code chatkit_sessions} and returns its client secret and expiry; {@code POST …/{id}/cancel} cancels it, so
 * the secret stops working.
 */
final class ChatKitSessions {
    private static final Map<String, String> BETA = Map.of("OpenAI-Beta", "chatkit_beta=v1");

    private final UpstreamClient upstream;
    private final ExchangeListener listener;
    private final Optional<String> workflow;
    private final ChatKitRecords records;

    ChatKitSessions(UpstreamClient upstream, ExchangeListener listener, Optional<String> workflow, Jdbi jdbi) {
        this.upstream = upstream;
        this.listener = listener;
        this.workflow = workflow;
        this.records = new ChatKitRecords(jdbi);
    }

    void register(ApiRoutes routes) {
        // Recorded as the upstream call each makes, as the request's one exchange.
        routes.post("/api/chatkit/session", ApiRoute.key().endpoint("/v1/chatkit/sessions"), this::create);
        routes.post("/api/chatkit/session/{id}/cancel", ApiRoute.key().endpoint("/v1/chatkit/sessions/{id}/cancel"),
                this::cancel);
    }

    private void create(Context ctx) {
        String workflowId = workflow.orElseThrow(() -> new GatewayException(403, "invalid_request_error", "chatkit_disabled",
                null, "ChatKit is not set up on this gateway; the operator can set OPENAI_CHATKIT_WORKFLOW_ID."));
        Caller caller = Admitted.of(ctx).caller();
        ObjectNode body = Json.object();
        body.putObject("workflow").put("id", workflowId);
        body.put("user", caller.owner());
        JsonNode session = call(ctx, caller, "/chatkit/sessions", body, "chatkit_session_refused", "the ChatKit session");
        String id = "ckgw_" + java.util.UUID.randomUUID().toString().replace("-", "");
        records.created(id, caller.owner(), session.path("id").asText(), session.path("expires_at").asLong());
        ObjectNode answer = Json.object().put("id", id).put("object", "chatkit.session")
                .put("upstream_id", session.path("id").asText())
                .put("client_secret", session.path("client_secret").asText())
                .put("expires_at", session.path("expires_at").asLong());
        answer.set("workflow", session.path("workflow"));
        answer.put("user", caller.owner()).put("status", session.path("status").asText("active"));
        ctx.status(201).json(answer);
    }

    private void cancel(Context ctx) {
        Caller caller = Admitted.of(ctx).caller();
        String id = ctx.pathParam("id");
        String upstreamId = records.upstreamId(caller.owner(), id).orElseThrow(() -> GatewayException.notFound("ChatKit session", id));
        JsonNode session = call(ctx, caller, "/chatkit/sessions/" + upstreamId + "/cancel", null, "chatkit_cancel_refused",
                "the cancellation");
        records.cancelled(id);
        ctx.json(Json.object().put("id", id).put("object", "chatkit.session").put("upstream_id", upstreamId)
                .put("status", session.path("status").asText("cancelled")));
    }

    private JsonNode call(Context ctx, Caller caller, String path, ObjectNode body, String refusedCode, String what) {
        Exchange exchange = Admitted.of(ctx).exchange();
        byte[] bytes = body == null ? new byte[0] : Json.write(body).getBytes(StandardCharsets.UTF_8);
        RecordedCall.Answer answer = RecordedCall.send(upstream,
                new UpstreamRequest("POST", path, null, bytes, BETA, RequestIds.of(ctx)), exchange);
        if (!answer.ok()) {
            int status = answer.status() == 401 || answer.status() == 403 ? 502 : answer.status();
            throw new GatewayException(status, status == 502 ? "upstream_error" : "invalid_request_error", refusedCode, null,
                    "OpenAI refused " + what + ": " + answer.errorMessage());
        }
        return answer.json();
    }
}
