package dev.switchboard.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.AuditLog;
import dev.switchboard.limits.KeyLimits;
import dev.switchboard.limits.Limits;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;

/**
 * {@code GET /api/admin/keys/{id}/limits} (the key's limits and its tokens today and this month) and
 * {@code PUT …/limits} (replace them; a field left out or null is no limit), admin key only.
 */
public final class LimitRoutes {
    private final Limits limits;
    private final RequestBodies bodies;
    private final ApiKeys keys;
    private final AuditLog audit;

    public LimitRoutes(Limits limits, RequestBodies bodies, ApiKeys keys, AuditLog audit) {
        this.limits = limits;
        this.bodies = bodies;
        this.keys = keys;
        this.audit = audit;
    }

    public void register(ApiRoutes routes) {
        routes.get("/api/admin/keys/{id}/limits", ApiRoute.admin(), this::show);
        routes.put("/api/admin/keys/{id}/limits", ApiRoute.admin(), this::replace);
    }

    private void show(Context ctx) {
        String keyId = existingKey(ctx);
        ctx.json(describe(keyId, limits.store().get(keyId)));
    }

    private void replace(Context ctx) {
        String keyId = existingKey(ctx);
        KeyLimits replaced = KeyLimits.fromJson(bodies.json(ctx).json());
        limits.store().put(keyId, replaced);
        audit.record(Admitted.of(ctx).caller(), "key.limits", keyId, replaced.toJson());
        ctx.json(describe(keyId, replaced));
    }

    private ObjectNode describe(String keyId, KeyLimits keyLimits) {
        ObjectNode body = keyLimits.toJson().put("key_id", keyId);
        var budget = limits.budgetUsage(keyId);
        body.putObject("usage").put("tokens_today", budget.today()).put("tokens_this_month", budget.thisMonth());
        return body;
    }

    private String existingKey(Context ctx) {
        String keyId = ctx.pathParam("id");
        if (!keys.exists(keyId)) throw GatewayException.notFound("API key", keyId);
        return keyId;
    }
}
