package dev.switchboard.trace;

import dev.switchboard.config.TraceSettings;
import dev.switchboard.config.Version;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.observe.Usage;
import dev.switchboard.upstream.UpstreamCalls;
import dev.switchboard.web.RequestObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * OpenTelemetry traces of the gateway's work, exported over OTLP. One SERVER span per client request (joined to
 * the client's trace when it sends a W3C {@code traceparent}), one span per exchange the gateway starts on its own
 * behalf (an agent's model round, a background continuation), and one CLIENT span per upstream call, each retry
 * attempt and WebSocket leg its own, under the span of the request it serves.
 *
 * <p>Spans are found by the gateway's request id, which every part already passes along: an exchange whose id is
 * the request's (a relayed request) annotates the request's span; one whose id is the request's followed by
 * {@code -suffix} (an agent's rounds, {@code sbreq_…-r1}) is a child of it; an upstream call belongs to the span
 * of its request id. A span ends once everything that holds it has ended (the HTTP answer, its exchanges and its
 * upstream calls), so a stream's span lasts as long as the stream.
 */
public final class Tracing implements ExchangeListener, RequestObserver, UpstreamCalls, AutoCloseable {
    private static final int QUEUE = 2048;
    /** Outcomes besides {@code upstream_…} that are the gateway's failure, marked as errors. */
    private static final java.util.Set<String> FAILURES = java.util.Set.of("failed", "shutdown", "interrupted");
    /**
     * Live spans at most. Each ends when what holds it does; this bound only keeps a holder that never lets go (a
     * bug elsewhere) from growing memory without end: past it, new requests are simply not traced.
     */
    private static final int LIVE_LIMIT = 100_000;
    /** The SDK's exporter logs every failed export itself; the gateway counts them and says so once a minute. */
    private static final List<java.util.logging.Logger> QUIETED = List.of(
            java.util.logging.Logger.getLogger("io.opentelemetry.exporter"),
            java.util.logging.Logger.getLogger("io.opentelemetry.sdk.trace.export"));
    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };

    private final TraceSettings settings;
    private final SdkTracerProvider provider;
    private final BoundedExport export;
    private final Tracer tracer;
    private final Map<String, Node> live = new ConcurrentHashMap<>();
    private final Map<Exchange, Node> exchanges = new ConcurrentHashMap<>();
    private volatile URI upstream = URI.create("http://upstream");

    private Tracing(TraceSettings settings) {
        this.settings = settings;
        QUIETED.forEach(logger -> logger.setLevel(Level.OFF));
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint().orElseThrow().toString())
                .setTimeout(Duration.ofSeconds(10))
                // A refused batch is dropped and counted at once: retrying would hold the queue for spans to come.
                .setRetryPolicy(null);
        settings.headers().forEach((name, value) -> exporter.addHeader(name, value.reveal()));
        this.export = new BoundedExport(exporter.build(), settings.scheduleDelay(), QUEUE, settings.shownEndpoint());
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), settings.serviceName(),
                        AttributeKey.stringKey("service.version"), Version.VALUE))))
                .setSampler(sampler(settings))
                .addSpanProcessor(export)
                .build();
        this.tracer = provider.get("dev.switchboard", Version.VALUE);
    }

    /** Tracing as configured, or empty when no endpoint is set: then nothing of OpenTelemetry is even loaded. */
    public static Optional<Tracing> start(TraceSettings settings) {
        return settings.enabled() ? Optional.of(new Tracing(settings)) : Optional.empty();
    }

    /** The upstream's base URL, named on CLIENT spans ({@code server.address}, {@code url.path}). */
    public void upstream(URI baseUrl) {
        this.upstream = baseUrl;
    }

    /** For the start-up lines. */
    public String description() {
        return "OTLP/HTTP to " + settings.shownEndpoint() + " as service " + settings.serviceName()
                + " (sampler " + settings.sampler() + ")";
    }

    /** Spans lost since start-up (collector down, slow or refusing, or the queue full). */
    public long droppedSpans() {
        return export.dropped();
    }

    // ---- client requests -------------------------------------------------------------------------------------

    @Override
    public Observed started(String requestId, String method, String path, Function<String, String> headers) {
        if (!path.startsWith("/v1/") && !path.startsWith("/api/")) return Observed.NONE;
        if (live.size() >= LIVE_LIMIT) return Observed.NONE;
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        Span span = tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setAttribute(GenAi.METHOD, method)
                .setAttribute(GenAi.URL_PATH, path)
                .setAttribute(GenAi.REQUEST_ID, requestId)
                .startSpan();
        Node node = new Node(requestId, span, null);
        live.put(requestId, node);
        AtomicBoolean ended = new AtomicBoolean();
        return (route, status, keyId) -> {
            if (!ended.compareAndSet(false, true)) return;
            if (route != null) span.setAttribute(GenAi.ROUTE, route);
            if (node.genAiName == null) span.updateName(route == null ? method : method + " " + route);
            span.setAttribute(GenAi.STATUS, (long) status);
            if (keyId != null) span.setAttribute(GenAi.KEY_ID, keyId);
            if (status >= 500) {
                span.setAttribute(GenAi.ERROR_TYPE, String.valueOf(status));
                span.setStatus(StatusCode.ERROR);
            }
            release(node);
        };
    }

    // ---- exchanges -------------------------------------------------------------------------------------------

    @Override
    public void started(Exchange exchange) {
        String id = exchange.requestId();
        String operation = GenAi.operation(exchange.endpoint());
        Node node = hold(id);
        if (node == null && live.size() >= LIVE_LIMIT) return;
        if (node == null) {
            Node parent = id.indexOf('-') > 0 ? hold(id.substring(0, id.indexOf('-'))) : null;
            SpanBuilder builder = tracer.spanBuilder(GenAi.template(exchange.endpoint())).setSpanKind(SpanKind.INTERNAL)
                    .setAttribute(GenAi.REQUEST_ID, id);
            builder.setParent(parent == null ? Context.root() : Context.root().with(parent.span));
            node = new Node(id, builder.startSpan(), parent);
            live.put(id, node);
        }
        Span span = node.span;
        span.setAttribute(GenAi.ENDPOINT, exchange.endpoint());
        if (exchange.keyId() != null) span.setAttribute(GenAi.KEY_ID, exchange.keyId());
        if (operation != null) {
            span.setAttribute(GenAi.PROVIDER, GenAi.OPENAI);
            span.setAttribute(GenAi.SYSTEM, GenAi.OPENAI);
            span.setAttribute(GenAi.OPERATION, operation);
            String apiType = GenAi.apiType(exchange.endpoint());
            if (apiType != null) span.setAttribute(GenAi.API_TYPE, apiType);
            if (exchange.model() != null) span.setAttribute(GenAi.REQUEST_MODEL, exchange.model());
            node.genAiName = exchange.model() == null ? operation : operation + " " + exchange.model();
            node.model = exchange.model();
            span.updateName(node.genAiName);
        }
        exchanges.put(exchange, node);
    }

    @Override
    public void finished(Exchange exchange) {
        Node node = exchanges.remove(exchange);
        if (node == null) return;
        Span span = node.span;
        if (exchange.responseModel() != null) span.setAttribute(GenAi.RESPONSE_MODEL, exchange.responseModel());
        if (exchange.responseId() != null) span.setAttribute(GenAi.RESPONSE_ID, exchange.responseId());
        Usage usage = exchange.usage();
        if (usage != null) {
            span.setAttribute(GenAi.INPUT_TOKENS, usage.inputTokens());
            span.setAttribute(GenAi.OUTPUT_TOKENS, usage.outputTokens());
        }
        if (exchange.upstreamRequestId() != null) span.setAttribute(GenAi.OPENAI_REQUEST_ID, exchange.upstreamRequestId());
        if (exchange.streamId() != null) span.setAttribute(GenAi.STREAM_ID, exchange.streamId());
        String outcome = exchange.outcome();
        if (outcome != null) span.setAttribute(GenAi.OUTCOME, outcome);
        if (outcome != null && !outcome.equals("completed") && !outcome.equals("fallback")) {
            span.setAttribute(GenAi.ERROR_TYPE, exchange.error() != null && exchange.error().length() <= 64
                    ? exchange.error() : outcome);
            // The gateway's or the upstream's failure only: a client that left, cancelled or was refused is not one.
            if (outcome.startsWith("upstream_") || FAILURES.contains(outcome)) span.setStatus(StatusCode.ERROR);
        }
        release(node);
    }

    // ---- upstream calls --------------------------------------------------------------------------------------

    @Override
    public Call calling(String requestId, String method, String path) {
        Node parent = requestId == null ? null : hold(requestId);
        if (parent == null && requestId != null && requestId.indexOf('-') > 0) {
            parent = hold(requestId.substring(0, requestId.indexOf('-')));
        }
        String operation = GenAi.operation(path);
        String model = parent == null ? null : parent.model;
        URI base = upstream;
        String fullPath = (base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/$", "")) + path;
        SpanBuilder builder = tracer.spanBuilder(operation == null ? method : model == null ? operation : operation + " " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent == null ? Context.root() : Context.root().with(parent.span))
                .setAttribute(GenAi.METHOD, method)
                .setAttribute(GenAi.URL_PATH, fullPath)
                .setAttribute(GenAi.SERVER_ADDRESS, base.getHost() == null ? "" : base.getHost())
                .setAttribute(GenAi.SERVER_PORT, (long) port(base))
                .setAttribute(GenAi.PROVIDER, GenAi.OPENAI)
                .setAttribute(GenAi.SYSTEM, GenAi.OPENAI);
        if (requestId != null) builder.setAttribute(GenAi.REQUEST_ID, requestId);
        if (operation != null) builder.setAttribute(GenAi.OPERATION, operation);
        if (model != null) builder.setAttribute(GenAi.REQUEST_MODEL, model);
        Span span = builder.startSpan();
        Node held = parent;
        AtomicBoolean ended = new AtomicBoolean();
        return new Call() {
            @Override
            public void answered(int status, String upstreamRequestId) {
                span.setAttribute(GenAi.STATUS, (long) status);
                if (upstreamRequestId != null) span.setAttribute(GenAi.OPENAI_REQUEST_ID, upstreamRequestId);
                if (status >= 400) {
                    span.setAttribute(GenAi.ERROR_TYPE, String.valueOf(status));
                    span.setStatus(StatusCode.ERROR);
                }
            }

            @Override
            public void failed(String errorType) {
                span.setAttribute(GenAi.ERROR_TYPE, errorType == null ? "upstream_failed" : errorType);
                span.setStatus(StatusCode.ERROR);
            }

            @Override
            public void end() {
                if (!ended.compareAndSet(false, true)) return;
                span.end();
                if (held != null) release(held);
            }
        };
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) return uri.getPort();
        return "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme()) ? 443 : 80;
    }

    // ---- the live spans --------------------------------------------------------------------------------------

    /** The live span of {@code id}, held one more time; null when there is none (or it is ending). */
    private Node hold(String id) {
        Node node = live.get(id);
        if (node == null) return null;
        for (int holds; (holds = node.holds.get()) > 0; ) {
            if (node.holds.compareAndSet(holds, holds + 1)) return node;
        }
        return null;
    }

    private void release(Node node) {
        if (node.holds.decrementAndGet() != 0) return;
        live.remove(node.id, node);
        node.span.end();
        if (node.parent != null) release(node.parent);
    }

    /** One span that requests, exchanges and calls attach to by id; it ends when the last of them lets go. */
    private static final class Node {
        final String id;
        final Span span;
        final Node parent;
        final AtomicInteger holds = new AtomicInteger(1);
        /** The GenAI name ({@code chat gpt-4o}) once an exchange gave one; the HTTP route does not replace it. */
        volatile String genAiName;
        volatile String model;

        Node(String id, Span span, Node parent) {
            this.id = id;
            this.span = span;
            this.parent = parent;
        }
    }

    /** Sends what is queued (at most a few seconds when the collector is away), then stops. */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    private static Sampler sampler(TraceSettings settings) {
        return switch (settings.sampler()) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(settings.samplerRatio());
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplerRatio()));
            default -> Sampler.parentBased(Sampler.alwaysOn());
        };
    }
}
