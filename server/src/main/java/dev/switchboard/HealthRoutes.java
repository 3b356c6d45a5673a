package dev.switchboard;

import dev.switchboard.store.Database;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * {@code GET /healthz}: the process is up (for liveness probes). {@code GET /readyz}: the database answers and the
 * upstream answers with the configured key (for readiness probes and load balancers); 503 with the failing check.
 */
final class HealthRoutes {
    private final Database database;
    private final UpstreamClient upstream;

    HealthRoutes(Database database, UpstreamClient upstream) {
        this.database = database;
        this.upstream = upstream;
    }

    void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
        routes.get("/readyz", this::ready);
    }

    private void ready(Context ctx) {
        boolean databaseOk = database.isReachable();
        UpstreamClient.Probe probe = upstream.probe(Duration.ofSeconds(3));
        var checks = Json.object();
        checks.put("database", databaseOk ? "ok" : "unreachable");
        checks.put("upstream", probe.keyAccepted() ? "ok"
                : probe.reachable() ? "refused (HTTP " + probe.status() + ")" : "unreachable");
        boolean ready = databaseOk && probe.keyAccepted();
        var body = Json.object().put("status", ready ? "ready" : "not_ready");
        body.set("checks", checks);
        ctx.status(ready ? 200 : 503).contentType("application/json").result(Json.write(body));
    }
}
