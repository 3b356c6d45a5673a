package dev.switchboard.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.Json;
import dev.switchboard.web.Paging;
import io.javalin.http.Context;
import org.jdbi.v3.core.Jdbi;

/** The admin view of agents (admin key): every owner's sessions, and a session's runs, a page at a time. */
public final class AgentAdminRoutes {
    private final AgentRepository repository;

    public AgentAdminRoutes(Jdbi jdbi) {
        this.repository = new AgentRepository(jdbi);
    }

    public void register(ApiRoutes routes) {
        routes.get("/api/admin/agent-sessions", ApiRoute.admin(), this::sessions);
        routes.get("/api/admin/agent-sessions/{id}/runs", ApiRoute.admin(), this::runs);
    }

    private void sessions(Context ctx) {
        int limit = Paging.limit(ctx, 20, 100);
        ObjectNode body = Paging.page(repository.listAllSessions(limit + 1, ctx.queryParam("before")), limit, s -> s,
                s -> s.path("id").asText());
        ctx.contentType("application/json").result(Json.write(body));
    }

    private void runs(Context ctx) {
        int limit = Paging.limit(ctx, 20, 100);
        ObjectNode body = Paging.page(repository.listAllRuns(ctx.pathParam("id"), limit + 1, ctx.queryParam("before")), limit,
                r -> r, r -> r.path("id").asText());
        ctx.contentType("application/json").result(Json.write(body));
    }
}
