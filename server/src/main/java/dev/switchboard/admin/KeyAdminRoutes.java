package dev.switchboard.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.ApiKey;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.AuditLog;
import dev.switchboard.auth.CreatedKey;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.Paging;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;

/**
 * The admin API for gateway keys, behind an admin key:
 * {@code POST /api/admin/keys} {@code {"name", "owner"?, "admin"?}} creates one and shows it once (without an owner,
 * the key gets a new owner of its own),
 * {@code GET /api/admin/keys} lists them, {@code DELETE /api/admin/keys/{id}} revokes one,
 * {@code POST /api/admin/keys/{id}/rotate} replaces one with an overlap window, and {@code GET /api/admin/audit}
 * shows the audit log of all of it.
 */
public final class KeyAdminRoutes {
    private final ApiKeys keys;
    private final RequestBodies bodies;
    private final AuditLog audit;

    public KeyAdminRoutes(ApiKeys keys, RequestBodies bodies, AuditLog audit) {
        this.keys = keys;
        this.bodies = bodies;
        this.audit = audit;
    }

    public void register(ApiRoutes routes) {
        routes.post("/api/admin/keys", ApiRoute.admin(), this::create);
        routes.get("/api/admin/keys", ApiRoute.admin(), this::list);
        routes.delete("/api/admin/keys/{id}", ApiRoute.admin(), this::revoke);
        routes.post("/api/admin/keys/{id}/rotate", ApiRoute.admin(), this::rotate);
        routes.get("/api/admin/audit", ApiRoute.admin(), this::auditLog);
    }

    private void create(Context ctx) {
        JsonRequest request = bodies.json(ctx);
        String name = request.requiredText("name");
        JsonNode owner = request.json().get("owner");
        if (owner != null && !owner.isNull() && (!owner.isTextual() || owner.asText().isBlank())) {
            throw GatewayException.invalidParam("owner", "'owner' must be a non-empty string, or left out for an owner of "
                    + "the key's own.");
        }
        CreatedKey created = keys.create(name, owner == null || owner.isNull() ? null : owner.asText(), request.flag("admin"));
        audit.record(Admitted.of(ctx).caller(), "key.create", created.key().id(), Json.object().put("name", created.key().name())
                .put("owner", created.key().owner()).put("admin", created.key().admin()));
        ObjectNode body = describe(created.key());
        body.put("key", created.secret());
        ctx.status(201).contentType("application/json").result(Json.write(body));
    }

    private void list(Context ctx) {
        int limit = Paging.limit(ctx, 50, 200);
        ObjectNode body = Paging.page(keys.page(limit + 1, ctx.queryParam("before")), limit,
                KeyAdminRoutes::describe, ApiKey::id);
        ctx.contentType("application/json").result(Json.write(body));
    }

    private void revoke(Context ctx) {
        ApiKey revoked = keys.revoke(ctx.pathParam("id"))
                .orElseThrow(() -> GatewayException.notFound("API key", ctx.pathParam("id")));
        audit.record(Admitted.of(ctx).caller(), "key.revoke", revoked.id(), Json.object().put("name", revoked.name()));
        ctx.contentType("application/json").result(Json.write(describe(revoked)));
    }

    /**
     * {@code {"overlap_seconds": N}} (default a day, at most 30 days; 0 revokes the old key at once): a new key in the
     * old one's place, shown once, with the old one's limits; the old key works until the overlap ends.
     */
    private void rotate(Context ctx) {
        String id = ctx.pathParam("id");
        var body = bodies.optionalJson(ctx).map(JsonRequest::json).orElse(Json.object());
        JsonNode overlapNode = body.path("overlap_seconds");
        long overlap = overlapNode.isMissingNode() || overlapNode.isNull() ? 86_400 : overlapNode.asLong(-1);
        if (!(overlapNode.isMissingNode() || overlapNode.isNull() || overlapNode.isIntegralNumber()) || overlap < 0 || overlap > 30 * 86_400) {
            throw GatewayException.invalidParam("overlap_seconds", "'overlap_seconds' must be a whole number of seconds from 0 to 2592000 (30 days).");
        }
        CreatedKey created = keys.rotate(id, Duration.ofSeconds(overlap))
                .orElseThrow(() -> GatewayException.notFound("active API key", id));
        audit.record(Admitted.of(ctx).caller(), "key.rotate", id, Json.object().put("new_key_id", created.key().id())
                .put("overlap_seconds", overlap));
        ObjectNode answer = describe(created.key()).put("key", created.secret()).put("replaces", id)
                .put("replaced_key_expires_at", Instant.now().getEpochSecond() + overlap);
        ctx.status(201).contentType("application/json").result(Json.write(answer));
    }

    /** The audit log, newest first: {@code ?limit=&before=}. */
    private void auditLog(Context ctx) {
        int limit = Paging.limit(ctx, 50, 200);
        String before = ctx.queryParam("before");
        Long beforeId;
        try {
            beforeId = before == null ? null : Long.parseLong(before);
        } catch (NumberFormatException e) {
            throw GatewayException.invalidParam("before", "'before' must be the next_before value of a previous page.");
        }
        ctx.contentType("application/json").result(Json.write(Paging.page(audit.recent(limit + 1, beforeId), limit,
                entry -> entry, entry -> entry.path("id").asLong())));
    }

    static ObjectNode describe(ApiKey key) {
        ObjectNode node = Json.object();
        node.put("id", key.id()).put("object", "gateway.api_key").put("name", key.name()).put("owner", key.owner())
                .put("prefix", key.prefix()).put("admin", key.admin())
                .put("created_at", key.createdAt().getEpochSecond())
                .put("revoked_at", key.revokedAt() == null ? null : key.revokedAt().getEpochSecond());
        return node;
    }
}
