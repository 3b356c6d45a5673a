package dev.switchboard.trace;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP trace receiver on a free port, as a collector is: {@code POST /v1/traces} with an
 * {@code ExportTraceServiceRequest} protobuf, answered with an {@code ExportTraceServiceResponse}. It keeps every
 * span and every request's raw bytes and headers, and can be told to refuse exports as an overloaded collector does.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One span as received, with its resource's attributes. */
    record Received(Span span, Map<String, String> resource) {
        String name() { return span.getName(); }
        String traceId() { return HexFormat.of().formatHex(span.getTraceId().toByteArray()); }
        String spanId() { return HexFormat.of().formatHex(span.getSpanId().toByteArray()); }
        String parentSpanId() { return HexFormat.of().formatHex(span.getParentSpanId().toByteArray()); }
        Span.SpanKind kind() { return span.getKind(); }

        /** An attribute as text (numbers too), or null. */
        String attribute(String key) {
            return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).findFirst()
                    .map(kv -> text(kv.getValue())).orElse(null);
        }

        Map<String, String> attributes() {
            return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue())));
        }
    }

    private final HttpServer server;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<byte[]> raw = new CopyOnWriteArrayList<>();
    private final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
    private volatile int refuseWith;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stalled;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/traces", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, answer every export with {@code status} (503: overloaded), keeping nothing; 0 to accept again. */
    void refuseWith(int status) {
        this.refuseWith = status;
    }

    /** From now on, take each export's bytes and never answer (until closed), as a collector that hangs does. */
    void stall() {
        this.stalled = true;
    }

    List<Received> spans() {
        return new ArrayList<>(spans);
    }

    /** Every export's bytes and headers as text, for looking for what must never be there. */
    String everything() {
        StringBuilder all = new StringBuilder();
        raw.forEach(bytes -> all.append(new String(bytes, StandardCharsets.ISO_8859_1)).append('\n'));
        headers.forEach(h -> all.append(h).append('\n'));
        return all.toString();
    }

    Map<String, List<String>> lastHeaders() {
        return headers.isEmpty() ? Map.of() : headers.getLast();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (stalled) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (refuseWith != 0) {
                exchange.sendResponseHeaders(refuseWith, -1);
                return;
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            raw.add(body);
            headers.add(Map.copyOf(exchange.getRequestHeaders()));
            for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                Map<String, String> resource = resourceSpans.getResource().getAttributesList().stream()
                        .collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()), (a, b) -> a));
                for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                    scope.getSpansList().forEach(span -> spans.add(new Received(span, resource)));
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> String.valueOf(value.getIntValue());
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            case DOUBLE_VALUE -> String.valueOf(value.getDoubleValue());
            default -> value.toString();
        };
    }

    /** Stops listening: exports then find the port closed. */
    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}
