package dev.switchboard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Await;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traces as a collector receives them: a real OTLP/HTTP receiver, started here, decodes what a real gateway exports
 * while it relays streams, answers, agent turns, refusals and upstream failures.
 */
class TracingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SECRET_PROMPT = "the launch code is 7731-PLUM";
    private static OtlpReceiver receiver;
    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        receiver = new OtlpReceiver();
        gw = TestGateway.start(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_EXPORTER_OTLP_HEADERS", "x-collector-token=tok%3Den-42",
                "OTEL_SERVICE_NAME", "switchboard-under-test",
                "OTEL_BSP_SCHEDULE_DELAY", "50",
                "SWITCHBOARD_UPSTREAM_RETRIES", "1",
                "OPENAI_STREAMING_ENABLED", "true",
                "OPENAI_REALTIME_ENABLED", "true"));
        // A tool call, then the answer: two model rounds in one turn.
        gw.emulator.script("agent-two-rounds", """
                {"tool_calls":[{"name":"math__calculate","arguments":{"expression":"1+1"}}]}""");
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (receiver != null) receiver.close();
    }

    @Test
    void aStreamedChatCompletionIsOneServerSpanInTheClientsTraceWithOneClientSpanPerUpstreamCall() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        HttpResponse<InputStream> answer = gw.open(gw.post("/v1/chat/completions", """
                {"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"%s"}]}""".formatted(SECRET_PROMPT))
                .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01"));
        assertThat(answer.statusCode()).isEqualTo(200);
        drain(answer.body());
        String requestId = answer.headers().firstValue(RequestIds.HEADER).orElseThrow();

        OtlpReceiver.Received server = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER
                && requestId.equals(s.attribute("switchboard.request_id")));
        assertThat(server.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(server.traceId()).isEqualTo(traceId);
        assertThat(server.parentSpanId()).isEqualTo(clientSpan);
        assertThat(server.attributes()).containsEntry("gen_ai.operation.name", "chat")
                .containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("gen_ai.request.model", "gpt-4o-mini")
                .containsEntry("openai.api.type", "chat_completions")
                .containsEntry("http.request.method", "POST")
                .containsEntry("http.route", "/v1/chat/completions")
                .containsEntry("http.response.status_code", "200")
                .containsEntry("switchboard.outcome", "completed")
                .containsKeys("switchboard.key_id", "switchboard.stream_id", "gen_ai.response.id");
        assertThat(server.attribute("gen_ai.response.model")).startsWith("gpt-4o-mini");
        assertThat(Long.parseLong(server.attribute("gen_ai.usage.input_tokens"))).isPositive();
        assertThat(Long.parseLong(server.attribute("gen_ai.usage.output_tokens"))).isPositive();
        assertThat(server.attribute("openai.request_id")).startsWith("req_");
        assertThat(server.resource()).containsEntry("service.name", "switchboard-under-test");

        OtlpReceiver.Received client = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && server.spanId().equals(s.parentSpanId()));
        assertThat(client.traceId()).isEqualTo(traceId);
        assertThat(client.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(client.attributes()).containsEntry("http.request.method", "POST")
                .containsEntry("url.path", "/v1/chat/completions")
                .containsEntry("server.address", URI.create(gw.emulator.baseUrl()).getHost())
                .containsEntry("http.response.status_code", "200")
                .containsEntry("openai.request_id", server.attribute("openai.request_id"))
                .doesNotContainKey("error.type");
        // The collector's header went with the export; the client's trace id did not go to OpenAI.
        assertThat(receiver.lastHeaders().get("X-collector-token")).containsExactly("tok=en-42");
        assertThat(gw.emulator.requests().getLast().headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("traceparent"));
    }

    @Test
    void aNonStreamedResponseCarriesItsModelUsageAndResponseId() throws Exception {
        HttpResponse<String> answer = gw.send(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"" + SECRET_PROMPT + "\"}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(answer.body());
        String requestId = answer.headers().firstValue(RequestIds.HEADER).orElseThrow();

        OtlpReceiver.Received server = await(s -> requestId.equals(s.attribute("switchboard.request_id"))
                && s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(server.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(server.parentSpanId()).isEmpty();
        assertThat(server.attributes()).containsEntry("openai.api.type", "responses")
                .containsEntry("gen_ai.response.id", body.path("id").asText())
                .containsEntry("gen_ai.response.model", body.path("model").asText())
                .containsEntry("gen_ai.usage.input_tokens", body.path("usage").path("input_tokens").asText())
                .containsEntry("gen_ai.usage.output_tokens", body.path("usage").path("output_tokens").asText());
        OtlpReceiver.Received client = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && server.spanId().equals(s.parentSpanId()));
        assertThat(client.attribute("url.path")).isEqualTo("/v1/responses");
        assertThat(client.traceId()).isEqualTo(server.traceId());
    }

    @Test
    void anAgentTurnIsARequestSpanWithARoundSpanAndAClientSpanPerModelCall() throws Exception {
        String session = Json.MAPPER.readTree(gw.send(gw.post("/api/agent/sessions",
                "{\"name\":\"traced\",\"model\":\"agent-two-rounds\",\"tools\":[\"math.calculate\"]}")).body()).path("id").asText();
        HttpResponse<InputStream> run = gw.open(gw.post("/api/agent/stream",
                "{\"session_id\":\"" + session + "\",\"input\":\"add up\"}"));
        assertThat(run.statusCode()).isEqualTo(200);
        drain(run.body());
        String requestId = run.headers().firstValue(RequestIds.HEADER).orElseThrow();

        OtlpReceiver.Received server = await(s -> requestId.equals(s.attribute("switchboard.request_id"))
                && s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(server.name()).isEqualTo("POST /api/agent/stream");
        Await.until(WAIT, () -> children(server, Span.SpanKind.SPAN_KIND_INTERNAL).size() >= 2);
        List<OtlpReceiver.Received> rounds = children(server, Span.SpanKind.SPAN_KIND_INTERNAL);
        assertThat(rounds).extracting(OtlpReceiver.Received::name).containsOnly("chat agent-two-rounds");
        assertThat(rounds).extracting(r -> r.attribute("switchboard.request_id"))
                .containsExactlyInAnyOrder(requestId + "-r1", requestId + "-r2");
        for (OtlpReceiver.Received round : rounds) {
            OtlpReceiver.Received call = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                    && round.spanId().equals(s.parentSpanId()));
            assertThat(call.traceId()).isEqualTo(server.traceId());
            assertThat(call.attributes()).containsEntry("url.path", "/v1/responses")
                    .containsEntry("gen_ai.request.model", "agent-two-rounds")
                    .containsEntry("http.response.status_code", "200");
            // A child ends before its parent: nothing is cut off when the request span ends.
            assertThat(call.span().getEndTimeUnixNano()).isLessThanOrEqualTo(round.span().getEndTimeUnixNano());
            assertThat(round.span().getEndTimeUnixNano()).isLessThanOrEqualTo(server.span().getEndTimeUnixNano());
        }
    }

    @Test
    void anAssistantsRunIsTracedAsTheGatewaysOwnModelCall() throws Exception {
        String assistant = Json.MAPPER.readTree(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\"}")).body())
                .path("id").asText();
        String thread = Json.MAPPER.readTree(gw.send(gw.post("/v1/threads",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + SECRET_PROMPT + "\"}]}")).body()).path("id").asText();
        HttpResponse<String> run = gw.send(gw.post("/v1/threads/" + thread + "/runs",
                "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}"));
        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(run.body()).contains("thread.run.completed");

        // A run's stretch is one Responses call of the gateway's own, on a thread of its own: a span of its own.
        OtlpReceiver.Received stretch = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_INTERNAL
                && "/v1/responses".equals(s.attribute("switchboard.endpoint"))
                && "gpt-4o-mini".equals(s.attribute("gen_ai.request.model"))
                && s.attribute("gen_ai.usage.output_tokens") != null && s.parentSpanId().isEmpty());
        assertThat(stretch.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(stretch.attribute("gen_ai.response.model")).startsWith("gpt-4o-mini");
        assertThat(stretch.attribute("gen_ai.response.id")).startsWith("resp_");
        OtlpReceiver.Received call = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && stretch.spanId().equals(s.parentSpanId()));
        assertThat(call.attributes()).containsEntry("url.path", "/v1/responses").containsEntry("http.response.status_code", "200");
        assertThat(receiver.everything()).doesNotContain(SECRET_PROMPT);
    }

    @Test
    void aRealtimeSessionIsAServerSpanWithAClientSpanForItsUpstreamLeg() throws Exception {
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + gw.clientKey)
                .buildAsync(URI.create(gw.url("/v1/realtime?model=gpt-realtime").replaceFirst("^http", "ws")),
                        new java.net.http.WebSocket.Listener() { })
                .join();
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();

        OtlpReceiver.Received server = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER
                && "/v1/realtime".equals(s.attribute("url.path")));
        assertThat(server.attributes()).containsEntry("http.response.status_code", "101")
                .containsEntry("switchboard.endpoint", "/v1/realtime")
                .containsKey("switchboard.key_id");
        OtlpReceiver.Received leg = await(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && server.spanId().equals(s.parentSpanId()));
        assertThat(leg.attributes()).containsEntry("url.path", "/v1/realtime")
                .containsEntry("http.response.status_code", "101");
        assertThat(receiver.everything()).doesNotContain(gw.clientKey, TestGateway.UPSTREAM_KEY);
    }

    @Test
    void aRefusedRequestIsAServerSpanWithItsStatusAndNoUpstreamCall() throws Exception {
        HttpResponse<String> refused = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[]}").setHeader("Authorization", "Bearer sb-not-a-key-123"));
        assertThat(refused.statusCode()).isEqualTo(401);
        String requestId = refused.headers().firstValue(RequestIds.HEADER).orElseThrow();

        OtlpReceiver.Received server = await(s -> requestId.equals(s.attribute("switchboard.request_id")));
        assertThat(server.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        // Refused by admission, after its route matched: named by the route, as the HTTP convention says.
        assertThat(server.name()).isEqualTo("POST /v1/chat/completions");
        assertThat(server.attributes()).containsEntry("http.response.status_code", "401")
                .containsEntry("url.path", "/v1/chat/completions")
                .doesNotContainKeys("switchboard.key_id", "error.type");
        forceFlush();
        assertThat(receiver.spans()).noneMatch(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && server.spanId().equals(s.parentSpanId()));
        assertThat(receiver.everything()).doesNotContain("sb-not-a-key-123");
    }

    @Test
    void aRequestRefusedByTheKeysLimitsNamesTheKeyAndCallsNoUpstream() throws Exception {
        String key = keyLimitedTo("{\"models\":[\"gpt-4o\"]}");
        HttpResponse<String> refused = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .setHeader("Authorization", "Bearer " + key));
        assertThat(refused.statusCode()).isBetween(400, 499);
        String requestId = refused.headers().firstValue(RequestIds.HEADER).orElseThrow();

        OtlpReceiver.Received server = await(s -> requestId.equals(s.attribute("switchboard.request_id")));
        assertThat(server.attributes()).containsEntry("http.response.status_code", String.valueOf(refused.statusCode()))
                .containsKey("switchboard.key_id");
        assertThat(server.span().getStatus().getCode()).isNotEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        forceFlush();
        assertThat(receiver.spans()).noneMatch(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && server.spanId().equals(s.parentSpanId()));
        assertThat(receiver.everything()).doesNotContain(key);
    }

    @Test
    void anUpstreamErrorMarksEachAttemptAndTheRequest() throws Exception {
        HttpResponse<String> failed = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini;fail=500\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(failed.statusCode()).isEqualTo(500);
        String requestId = failed.headers().firstValue(RequestIds.HEADER).orElseThrow();

        OtlpReceiver.Received server = await(s -> requestId.equals(s.attribute("switchboard.request_id"))
                && s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(server.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(server.attributes()).containsEntry("http.response.status_code", "500").containsKey("error.type");
        // SWITCHBOARD_UPSTREAM_RETRIES=1: two attempts, each its own span under the request's.
        Await.until(WAIT, () -> children(server, Span.SpanKind.SPAN_KIND_CLIENT).size() == 2);
        for (OtlpReceiver.Received attempt : children(server, Span.SpanKind.SPAN_KIND_CLIENT)) {
            assertThat(attempt.attributes()).containsEntry("http.response.status_code", "500")
                    .containsEntry("error.type", "500");
            assertThat(attempt.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        }
    }

    @Test
    void noSecretNorContentIsEverExported() throws Exception {
        HttpResponse<String> answer = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + SECRET_PROMPT + "\"}]}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        String requestId = answer.headers().firstValue(RequestIds.HEADER).orElseThrow();
        await(s -> requestId.equals(s.attribute("switchboard.request_id")) && s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
        String exported = receiver.everything();
        assertThat(exported).contains(requestId)
                .doesNotContain(gw.clientKey, gw.adminKey, TestGateway.UPSTREAM_KEY, SECRET_PROMPT, "7731-PLUM")
                .doesNotContain(Json.MAPPER.readTree(answer.body()).path("choices").path(0).path("message").path("content").asText());
    }

    @Test
    void aCollectorThatRefusesOrIsGoneNeitherFailsNorHoldsRequestsAndItsSpansAreCounted() throws Exception {
        Tracing tracing = gw.gateway.tracing().orElseThrow();
        try (OtlpReceiver overloaded = new OtlpReceiver()) {
            overloaded.refuseWith(503);
            try (TestGateway refused = TestGateway.start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", overloaded.endpoint(),
                    "OTEL_BSP_SCHEDULE_DELAY", "50"))) {
                for (int i = 0; i < 3; i++) {
                    assertThat(refused.send(refused.post("/v1/chat/completions",
                            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).statusCode())
                            .isEqualTo(200);
                }
                Tracing refusedTracing = refused.gateway.tracing().orElseThrow();
                Await.until(WAIT, () -> refusedTracing.droppedSpans() >= 6);
                assertThat(refused.send(refused.get("/metrics").setHeader("Authorization", "Bearer " + refused.adminKey))
                        .body()).containsPattern("switchboard_traces_spans_dropped_total [1-9]");
                // Gone altogether: the port is closed. Requests go on as before.
                overloaded.close();
                long before = refusedTracing.droppedSpans();
                HttpResponse<InputStream> stream = refused.open(refused.post("/v1/chat/completions",
                        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
                assertThat(stream.statusCode()).isEqualTo(200);
                assertThat(drain(stream.body())).isNotEmpty();
                Await.until(WAIT, () -> refusedTracing.droppedSpans() > before);
            }
        }
        assertThat(tracing.droppedSpans()).isZero();
    }

    @Test
    void aCollectorThatHangsHoldsNoRequest() throws Exception {
        try (OtlpReceiver hanging = new OtlpReceiver()) {
            hanging.stall();
            try (TestGateway stalled = TestGateway.start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", hanging.endpoint(),
                    "OTEL_BSP_SCHEDULE_DELAY", "50"))) {
                // Every export waits for an answer that never comes; requests, streamed or not, go on meanwhile.
                for (int i = 0; i < 5; i++) {
                    assertThat(stalled.send(stalled.post("/v1/responses",
                            "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}")).statusCode()).isEqualTo(200);
                    HttpResponse<InputStream> stream = stalled.open(stalled.post("/v1/chat/completions",
                            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
                    assertThat(stream.statusCode()).isEqualTo(200);
                    assertThat(drain(stream.body())).last().extracting(SseFrame::data).isEqualTo("[DONE]");
                }
                // The export gives up after its timeout: those spans are dropped and counted.
                Tracing tracing = stalled.gateway.tracing().orElseThrow();
                Await.until(Duration.ofSeconds(30), () -> tracing.droppedSpans() > 0);
            }
        }
    }

    private static String keyLimitedTo(String limits) throws Exception {
        JsonNode created = Json.MAPPER.readTree(gw.send(gw.post("/api/admin/keys", "{\"name\":\"limited\"}")
                .setHeader("Authorization", "Bearer " + gw.adminKey)).body());
        HttpResponse<String> set = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/"
                        + created.path("id").asText() + "/limits")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(limits)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return created.path("key").asText();
    }

    private static List<SseFrame> drain(InputStream body) throws Exception {
        List<SseFrame> frames = new java.util.ArrayList<>();
        try (body) {
            SseReader reader = new SseReader(body);
            for (SseFrame frame; (frame = reader.next()) != null; ) frames.add(frame);
        }
        return frames;
    }

    private static List<OtlpReceiver.Received> children(OtlpReceiver.Received parent, Span.SpanKind kind) {
        return receiver.spans().stream().filter(s -> s.kind() == kind && parent.spanId().equals(s.parentSpanId())).toList();
    }

    private static OtlpReceiver.Received await(Predicate<OtlpReceiver.Received> which) throws InterruptedException {
        Await.until(WAIT, () -> receiver.spans().stream().anyMatch(which));
        return receiver.spans().stream().filter(which).findFirst().orElseThrow();
    }

    private static void forceFlush() throws InterruptedException {
        // A span of a later request is exported after everything before it: when it is in, so is all before.
        HttpResponse<String> marker = gw.send(gw.get("/v1/models"));
        String requestId = marker.headers().firstValue(RequestIds.HEADER).orElseThrow();
        await(s -> requestId.equals(s.attribute("switchboard.request_id")));
    }
}
