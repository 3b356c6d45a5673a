package dev.switchboard.emulator.chatkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /v1/chatkit/sessions} and {@code POST /v1/chatkit/sessions/{id}/cancel}: ChatKit sessions for a
 * workflow and a user, with the beta header OpenAI requires, shaped as OpenAI's {@code chatkit.session}.
 */
public final class ChatKitApi {
    private static final int TTL_SECONDS = 600;

    private final Map<String, ObjectNode> sessions = new ConcurrentHashMap<>();

    /** Registers the /v1/chatkit routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/chatkit/sessions", this::create);
        routes.post("/v1/chatkit/sessions/{id}/cancel", this::cancel);
    }

    void create(Context ctx) {
        if (!betaHeader(ctx)) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        String workflow = body.path("workflow").path("id").asText("");
        if (workflow.isBlank()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "missing_required_parameter", "Missing required parameter: 'workflow.id'.");
            return;
        }
        String user = body.path("user").asText("");
        if (user.isBlank()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "missing_required_parameter", "Missing required parameter: 'user'.");
            return;
        }
        int perMinute = body.path("rate_limits").path("max_requests_per_1_minute").asInt(10);
        ObjectNode session = Json.obj(
                "id", Ids.next("cksess_"),
                "object", "chatkit.session",
                "expires_at", Ids.nowSeconds() + body.path("expires_after").path("seconds").asInt(TTL_SECONDS),
                "client_secret", Ids.next("ek_"),
                "workflow", Json.obj("id", workflow, "version", body.path("workflow").path("version").asText(null),
                        "state_variables", null, "tracing", Json.obj("enabled", true)),
                "user", user,
                "rate_limits", Json.obj("max_requests_per_1_minute", perMinute),
                "max_requests_per_1_minute", perMinute,
                "status", "active",
                "chatkit_configuration", Json.obj(
                        "automatic_thread_titling", Json.obj("enabled", true),
                        "file_upload", Json.obj("enabled", false, "max_file_size", null, "max_files", null),
                        "history", Json.obj("enabled", true, "recent_threads", null)));
        sessions.put(session.path("id").asText(), session);
        ctx.contentType("application/json").result(Json.write(session));
    }

    void cancel(Context ctx) {
        if (!betaHeader(ctx)) return;
        ObjectNode session = sessions.get(ctx.pathParam("id"));
        if (session == null) {
            ApiErrors.notFound(ctx, "ChatKit session '" + ctx.pathParam("id") + "'");
            return;
        }
        synchronized (session) {
            if (!session.path("status").asText().equals("cancelled")) {
                session.put("status", "cancelled").put("cancelled_at", Ids.nowSeconds());
            }
            ctx.contentType("application/json").result(Json.write(session));
        }
    }

    private static boolean betaHeader(Context ctx) {
        String beta = ctx.header("OpenAI-Beta");
        if (beta != null && beta.contains("chatkit_beta=v1")) return true;
        ApiErrors.badRequest(ctx, "ChatKit is in beta: send the header 'OpenAI-Beta: chatkit_beta=v1'.");
        return false;
    }
}
