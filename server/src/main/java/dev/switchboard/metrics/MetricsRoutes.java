package dev.switchboard.metrics;

import io.javalin.config.RoutesConfig;

/**
 * {@code GET /metrics}: Prometheus text format. Open like {@code /healthz}: it holds counts and timings, no
 * secrets and no request contents; restrict it at the network if the counts themselves are sensitive.
 */
public final class MetricsRoutes {
    private final Metrics metrics;

    public MetricsRoutes(Metrics metrics) {
        this.metrics = metrics;
    }

    public void register(RoutesConfig routes) {
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    }
}
