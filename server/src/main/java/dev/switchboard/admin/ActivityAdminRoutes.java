package dev.switchboard.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.debug.RequestLogRepository;
import dev.switchboard.debug.RequestRow;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.stream.LiveStream;
import dev.switchboard.stream.LiveStreams;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway is doing, for administrators: {@code GET /api/admin/requests} (recent requests with usage,
 * newest first, paged with {@code limit} and {@code before}), {@code GET /api/admin/usage} (tokens per key),
 * {@code GET /api/admin/streams} (streams live on this instance), {@code DELETE /api/admin/streams/{id}}
 * (cancel one) and {@code GET /api/admin/debug-events} (the debug event log, filtered by kind, request id and
 * Realtime session).
 */
public final class ActivityAdminRoutes {
    private static final int MAX_PAGE = 200;

    private final RequestLogRepository requests;
    private final ApiKeys keys;
    private final LiveStreams live;

    private final dev.switchboard.auth.AuditLog audit;

    public ActivityAdminRoutes(RequestLogRepository requests, LiveStreams live, dev.switchboard.auth.AuditLog audit,
                               ApiKeys keys) {
        this.keys = keys;
        this.requests = requests;
        this.live = live;
        this.audit = audit;
    }

    public void register(ApiRoutes routes) {
        routes.get("/api/admin/requests", ApiRoute.admin(), this::recentRequests);
        routes.get("/api/admin/usage", ApiRoute.admin(), this::usage);
        routes.get("/api/admin/streams", ApiRoute.admin(), this::liveStreams);
        routes.delete("/api/admin/streams/{id}", ApiRoute.admin(), this::cancel);
        routes.get("/api/admin/debug-events", ApiRoute.admin(), this::debugEvents);
    }

    private void recentRequests(Context ctx) {
        int limit = intParam(ctx, "limit", 50, 1, MAX_PAGE);
        String before = ctx.queryParam("before");
        Long beforeMillis = before == null ? null : parseLong(before);
        List<RequestRow> rows = requests.recent(limit, beforeMillis);
        Map<String, String> names = keyNames();
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        rows.forEach(r -> data.add(describe(r).put("key_name", names.get(r.keyId()))));
        body.put("has_more", rows.size() == limit);
        if (!rows.isEmpty()) body.put("next_before", rows.get(rows.size() - 1).createdAt().toEpochMilli());
        json(ctx, body);
    }

    private void usage(Context ctx) {
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        Map<String, String> names = keyNames();
        requests.usageByKey().forEach(k -> {
            ObjectNode row = data.addObject().put("key_id", k.keyId()).put("key_name", names.get(k.keyId())).put("owner", k.owner())
                    .put("requests", k.requests());
            row.set("usage", usage(k.usage()));
        });
        json(ctx, body);
    }

    /** Keys' names as they are now (a renamed key shows its new name on its old requests); auth keeps them. */
    private Map<String, String> keyNames() {
        Map<String, String> names = new HashMap<>();
        keys.list().forEach(key -> names.put(key.id(), key.name()));
        return names;
    }

    private void liveStreams(Context ctx) {
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        Instant now = Instant.now();
        // The newest first, and at most ?limit= of them: an instance may hold thousands.
        List<LiveStream> streams = live.list().stream()
                .sorted(java.util.Comparator.comparing((LiveStream s) -> s.meta().createdAt()).reversed()).toList();
        int limit = intParam(ctx, "limit", 100, 1, 1000);
        body.put("total", streams.size());
        for (LiveStream stream : streams.subList(0, Math.min(limit, streams.size()))) {
            Exchange exchange = stream.exchange();
            data.addObject().put("id", stream.meta().id()).put("request_id", exchange.requestId())
                    .put("key_id", stream.meta().keyId()).put("key_name", exchange.keyName())
                    .put("owner", stream.meta().owner())
                    .put("endpoint", stream.meta().endpoint()).put("model", stream.meta().model())
                    .put("resumable", stream.meta().resumable())
                    .put("age_ms", Duration.between(stream.meta().createdAt(), now).toMillis())
                    .put("events", exchange.events());
        }
        json(ctx, body);
    }

    /** {@code ?kind=&request_id=&session_id=&limit=&before=}: the debug event log, newest first. */
    private void debugEvents(Context ctx) {
        int limit = intParam(ctx, "limit", 50, 1, 200);
        String before = ctx.queryParam("before");
        String kind = blankToNull(ctx.queryParam("kind"));
        String requestId = blankToNull(ctx.queryParam("request_id"));
        String sessionId = blankToNull(ctx.queryParam("session_id"));
        var rows = requests.debugEvents(kind, requestId, sessionId, limit + 1, before == null ? null : parseLong(before));
        json(ctx, dev.switchboard.web.Paging.page(rows, limit, row -> row, row -> row.path("id").asLong()));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private void cancel(Context ctx) {
        LiveStream stream = live.find(ctx.pathParam("id"))
                .orElseThrow(() -> GatewayException.notFound("live stream", ctx.pathParam("id"), "on this instance"));
        stream.cancel();
        if (audit != null) {
            audit.record(Admitted.of(ctx).caller(), "stream.cancel", stream.meta().id(),
                    Json.object().put("endpoint", stream.meta().endpoint()).put("key_id", stream.meta().keyId()));
        }
        json(ctx, Json.object().put("id", stream.meta().id()).put("object", "gateway.stream").put("cancelled", true));
    }

    private static ObjectNode describe(RequestRow r) {
        ObjectNode row = Json.object().put("request_id", r.requestId()).put("key_id", r.keyId())
                .put("key_name", r.keyName()).put("owner", r.owner())
                .put("endpoint", r.endpoint()).put("model", r.model()).put("streaming", r.streaming())
                .put("stream_id", r.streamId()).put("status", r.status()).put("outcome", r.outcome())
                .put("error", r.error()).put("upstream_request_id", r.upstreamRequestId())
                .put("ttfb_ms", r.ttfbMillis() < 0 ? null : r.ttfbMillis()).put("duration_ms", r.durationMillis())
                .put("events", r.events()).put("created_at", r.createdAt().toString());
        row.set("usage", usage(r.usage()));
        return row;
    }

    private static ObjectNode usage(Usage usage) {
        if (usage == null) return null;
        return Json.object().put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens())
                .put("total_tokens", usage.totalTokens());
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null) return fallback;
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw GatewayException.invalidParam(name, "'" + name + "' must be a whole number from " + min + " to " + max + ".");
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw GatewayException.invalidParam("before", "'before' must be the next_before value of a previous page.");
        }
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.write(body));
    }
}
