package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.Paging;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Evaluation results, kept by the gateway (admin key): {@code POST /api/admin/eval-runs} stores a run as
 * {@code switchboard eval} reports it; {@code GET /api/admin/eval-runs} lists runs newest first with their pass
 * counts (the trend); {@code GET /api/admin/eval-runs/{id}} gives one run's scenarios.
 */
public final class EvalRunsRoutes {
    private final Jdbi jdbi;
    private final RequestBodies bodies;

    public EvalRunsRoutes(Jdbi jdbi, RequestBodies bodies) {
        this.jdbi = jdbi;
        this.bodies = bodies;
    }

    public void register(ApiRoutes routes) {
        routes.post("/api/admin/eval-runs", ApiRoute.admin(), this::store);
        routes.get("/api/admin/eval-runs", ApiRoute.admin(), this::list);
        routes.get("/api/admin/eval-runs/{id}", ApiRoute.admin(), this::retrieve);
    }

    private void store(Context ctx) {
        JsonNode run = bodies.json(ctx).json();
        JsonNode scenarios = run.path("scenarios");
        if (!scenarios.isArray()) throw GatewayException.invalidParam("scenarios", "'scenarios' must be a list of scenario results.");
        if (!run.path("source").isTextual()) throw GatewayException.missingParam("source");
        Instant startedAt;
        try {
            startedAt = Instant.parse(run.path("started_at").asText());
        } catch (DateTimeParseException e) {
            throw GatewayException.invalidParam("started_at", "'started_at' must be an ISO-8601 instant.");
        }
        int passed = 0;
        for (JsonNode scenario : scenarios) {
            if (!scenario.path("name").isTextual()) throw GatewayException.invalidParam("scenarios", "Each scenario needs a 'name'.");
            if (scenario.path("passed").asBoolean(false)) passed++;
        }
        String id = "evalrun_" + UUID.randomUUID().toString().replace("-", "");
        int total = scenarios.size();
        int passedCount = passed;
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            insert into eval_runs (id, source, model, judge_model, total, passed, failed, started_at, duration_ms)
                            values (:id, :source, :model, :judge, :total, :passed, :failed, :started, :duration)""")
                    .bind("id", id).bind("source", run.path("source").asText()).bind("model", run.path("model").asText(null))
                    .bind("judge", run.path("judge_model").asText(null)).bind("total", total).bind("passed", passedCount)
                    .bind("failed", total - passedCount).bind("started", OffsetDateTime.ofInstant(startedAt, java.time.ZoneOffset.UTC))
                    .bind("duration", run.path("duration_ms").asLong()).execute();
            var insert = h.prepareBatch("insert into eval_results (run_id, scenario, passed, duration_ms, detail) "
                    + "values (:run, :scenario, :passed, :duration, cast(:detail as jsonb))");
            for (JsonNode scenario : scenarios) {
                insert.bind("run", id).bind("scenario", scenario.path("name").asText()).bind("passed", scenario.path("passed").asBoolean())
                        .bind("duration", scenario.path("duration_ms").asLong()).bind("detail", Json.write(scenario)).add();
            }
            insert.execute();
        });
        ctx.status(201).json(Json.object().put("id", id).put("object", "eval.run").put("total", total).put("passed", passedCount));
    }

    private void list(Context ctx) {
        int limit = Paging.limit(ctx, 20, 100);
        String before = ctx.queryParam("before");
        var rows = jdbi.withHandle(h -> h.createQuery("select * from eval_runs "
                        + (before == null ? "" : "where created_at < (select created_at from eval_runs where id = :before) ")
                        + "order by created_at desc, id limit :limit")
                .bind("before", before).bind("limit", limit + 1).map((rs, c) -> run(rs)).list());
        ctx.json(Paging.page(rows, limit, row -> row, row -> row.path("id").asText()));
    }

    private void retrieve(Context ctx) {
        String id = ctx.pathParam("id");
        ObjectNode run = jdbi.withHandle(h -> h.createQuery("select * from eval_runs where id = :id").bind("id", id)
                        .map((rs, c) -> run(rs)).findOne())
                .orElseThrow(() -> GatewayException.notFound("evaluation run", id));
        ArrayNode scenarios = run.putArray("scenarios");
        jdbi.useHandle(h -> h.createQuery("select detail from eval_results where run_id = :id order by passed, scenario")
                .bind("id", id).mapTo(String.class).forEach(detail -> scenarios.add(Json.stored(detail))));
        ctx.json(run);
    }

    private static ObjectNode run(ResultSet rs) throws SQLException {
        return Json.object().put("id", rs.getString("id")).put("object", "eval.run").put("source", rs.getString("source"))
                .put("model", rs.getString("model")).put("judge_model", rs.getString("judge_model"))
                .put("total", rs.getInt("total")).put("passed", rs.getInt("passed")).put("failed", rs.getInt("failed"))
                .put("started_at", rs.getObject("started_at", OffsetDateTime.class).toInstant().toString())
                .put("duration_ms", rs.getLong("duration_ms"));
    }
}
