package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.Json;
import dev.switchboard.web.Paging;
import io.javalin.http.Context;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /api/admin/realtime-sessions} (admin key): every owner's Realtime, WebRTC and ChatKit sessions with
 * their transcripts, newest first, a page at a time; {@code ?kind=} keeps one kind.
 */
public final class RealtimeAdminRoutes {
    private final VoiceSessionRepository sessions;

    public RealtimeAdminRoutes(Jdbi jdbi) {
        this.sessions = new VoiceSessionRepository(jdbi);
    }

    public void register(ApiRoutes routes) {
        routes.get("/api/admin/realtime-sessions", ApiRoute.admin(), this::list);
    }

    private void list(Context ctx) {
        int limit = Paging.limit(ctx, 20, 100);
        String kind = ctx.queryParam("kind");
        ObjectNode body = Paging.page(sessions.listAll(limit + 1, ctx.queryParam("before"), kind == null || kind.isBlank() ? null : kind),
                limit, row -> row, row -> row.path("id").asText());
        ctx.contentType("application/json").result(Json.write(body));
    }
}
