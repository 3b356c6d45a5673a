package dev.switchboard.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.ChatSettings;
import dev.switchboard.config.ModelSettings;
import dev.switchboard.config.Version;
import dev.switchboard.debug.RequestLogRepository;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.Json;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * {@code GET /api/admin/status} (admin key): the chat model and the API it is answered over, the fallback model and
 * how often it answered, whether the upstream answers, and the gateway's version. {@code switchboard doctor}
 * prints the same.
 */
final class StatusRoutes {
    private final ModelSettings models;
    private final ChatSettings chat;
    private final UpstreamClient upstream;
    private final ChatService chats;
    private final RequestLogRepository requestLog;

    StatusRoutes(ModelSettings models, ChatSettings chat, UpstreamClient upstream, ChatService chats, RequestLogRepository requestLog) {
        this.models = models;
        this.chat = chat;
        this.upstream = upstream;
        this.chats = chats;
        this.requestLog = requestLog;
    }

    void register(ApiRoutes routes) {
        routes.get("/api/admin/status", ApiRoute.admin(), this::status);
    }

    private void status(Context ctx) {
        UpstreamClient.Probe probe = upstream.probe(Duration.ofSeconds(5));
        ObjectNode status = Json.object().put("object", "switchboard.status").put("version", Version.VALUE)
                .put("model", models.chatModel()).put("api_type", models.chatApiType())
                .put("fallback_model", chat.fallbackModel());
        status.putObject("upstream").put("base_url", upstream.baseUrl().toString()).put("reachable", probe.reachable())
                .put("status", probe.status()).put("key_accepted", probe.keyAccepted());
        status.putObject("fallbacks").put("since_start", chats.fallbacks()).put("last_24h", ChatFallbacks.lastDay(requestLog));
        ctx.json(status);
    }
}
