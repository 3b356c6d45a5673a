package dev.switchboard.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.RequestBodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The admin API for gateway keys, behind an admin key:
 * {@code POST /api/admin/keys} {@code {"name", "owner"?, "admin"?}} creates one and shows it once,
 * {@code GET /api/admin/keys} lists them, {@code DELETE /api/admin/keys/{id}} revokes one.
 */
public final class KeyAdminRoutes {
    private final ApiKeys keys;
    private final RequestBodies bodies;

    public KeyAdminRoutes(ApiKeys keys, RequestBodies bodies) {
        this.keys = keys;
        this.bodies = bodies;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/admin/keys", this::create);
        routes.get("/api/admin/keys", this::list);
        routes.delete("/api/admin/keys/{id}", this::revoke);
    }

    private void create(Context ctx) {
        JsonRequest request = bodies.json(ctx);
        String name = request.requiredText("name");
        JsonNode owner = request.json().get("owner");
        if (owner != null && !owner.isNull() && !owner.isTextual()) {
            throw GatewayException.invalidParam("owner", "'owner' must be a string.");
        }
        CreatedKey created = keys.create(name, owner == null || owner.isNull() ? null : owner.asText(), request.flag("admin"));
        ObjectNode body = describe(created.key());
        body.put("key", created.secret());
        ctx.status(201).contentType("application/json").result(Json.write(body));
    }

    private void list(Context ctx) {
        int limit = dev.switchboard.web.Paging.limit(ctx, 50, 200);
        ObjectNode body = dev.switchboard.web.Paging.page(keys.page(limit + 1, ctx.queryParam("before")), limit,
                KeyAdminRoutes::describe, ApiKey::id);
        ctx.contentType("application/json").result(Json.write(body));
    }

    private void revoke(Context ctx) {
        ApiKey revoked = keys.revoke(ctx.pathParam("id"))
                .orElseThrow(() -> GatewayException.notFound("API key '" + ctx.pathParam("id") + "'"));
        ctx.contentType("application/json").result(Json.write(describe(revoked)));
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
