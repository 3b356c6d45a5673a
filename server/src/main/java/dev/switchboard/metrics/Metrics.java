package dev.switchboard.metrics;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics, fed by exchange events. The per-event path is one counter increment; the
 * rest is counted when a request starts, first answers, or ends. docs/operations.md says what each one means.
 */
public final class Metrics implements ExchangeListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter eventsRelayed;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final List<Supplier<Number>> counterSources = new CopyOnWriteArrayList<>();

    public Metrics() {
        eventsRelayed = Counter.builder("switchboard.stream.events.relayed")
                .description("Stream events relayed to clients").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** Adds a gauge read from elsewhere (active streams, recorder queue depth). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /**
     * A counter read from elsewhere (records dead-lettered by the batch writers, spans dropped). Its source is kept
     * here: a function counter holds only a weak reference to it, and a method reference nothing else held was
     * collected at the next GC, after which the counter read 0 whatever had been dropped.
     */
    public void functionCounter(String name, String description, Supplier<Number> value) {
        counterSources.add(value);
        FunctionCounter.builder(name, value, v -> v.get().doubleValue()).description(description).register(registry);
    }

    /** A counter of the caller's (Realtime fallbacks, waits for a socket); {@code tags} are name, value pairs. */
    public Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    @Override
    public void started(Exchange exchange) {
        if (exchange.streaming()) streamStarted(exchange);
    }

    @Override
    public void becameStream(Exchange exchange) {
        streamStarted(exchange);
    }

    private void streamStarted(Exchange exchange) {
        Counter.builder("switchboard.streams.started").description("Streams started")
                .tag("endpoint", exchange.endpoint()).register(registry).increment();
    }

    @Override
    public void firstByte(Exchange exchange) {
        Timer.builder("switchboard.upstream.ttfb").description("Time from the request to the first byte of the answer")
                .tag("endpoint", exchange.endpoint()).tag("streaming", String.valueOf(exchange.streaming()))
                .publishPercentileHistogram().register(registry)
                .record(Duration.ofNanos((long) (exchange.ttfbSeconds() * 1e9)));
    }

    @Override
    public void eventRelayed(Exchange exchange) {
        eventsRelayed.increment();
    }

    @Override
    public void finished(Exchange exchange) {
        String outcome = exchange.outcome() == null ? "unknown" : exchange.outcome();
        Counter.builder("switchboard.requests").description("Requests, forwarded upstream or answered by the gateway, by endpoint, status and outcome")
                .tag("endpoint", exchange.endpoint()).tag("status", String.valueOf(exchange.status()))
                .tag("outcome", outcome).register(registry).increment();
        if (exchange.status() >= 400 && !exchange.answeredByGateway()) {
            Counter.builder("switchboard.upstream.errors").description("Upstream answers with an error status, or no answer")
                    .tag("status", String.valueOf(exchange.status())).register(registry).increment();
        }
        if (exchange.streaming()) {
            Counter.builder("switchboard.streams.finished").description("Streams finished, by endpoint and outcome")
                    .tag("endpoint", exchange.endpoint()).tag("outcome", outcome).register(registry).increment();
            Timer.builder("switchboard.stream.duration").description("Stream duration, first request to last event")
                    .tag("endpoint", exchange.endpoint()).publishPercentileHistogram().register(registry)
                    .record(Duration.ofMillis(exchange.durationMillis()));
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
