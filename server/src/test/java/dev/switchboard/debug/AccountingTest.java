package dev.switchboard.debug;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Usage of every call is recorded per request and per key; the debug log records each upstream request. */
class AccountingTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_DEBUG_EVENTS", "true"));
        gw.emulator.script("acct-five", "{\"text\":\"one two three four five\"}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void streamedChatUsageIsRecordedEvenWhenTheClientDidNotAskForIt() throws Exception {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"acct-five\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"));
        assertThat(response.body()).doesNotContain("\"usage\"");
        Map<String, Object> row = awaitRequestRow(requestId(response));
        assertThat(row).containsEntry("output_tokens", 5L).containsEntry("streaming", true)
                .containsEntry("outcome", "completed").containsEntry("endpoint", "/v1/chat/completions");
        assertThat((Long) row.get("input_tokens")).isPositive();
        assertThat(row.get("stream_id")).asString().startsWith("strm_");
    }

    @Test
    void responsesAndNonStreamedUsageIsRecorded() throws Exception {
        HttpResponse<String> streamed = gw.send(gw.post("/v1/responses", "{\"model\":\"acct-five\",\"stream\":true,\"input\":\"x\"}"));
        assertThat(awaitRequestRow(requestId(streamed))).containsEntry("output_tokens", 5L);
        HttpResponse<String> whole = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"acct-five\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertThat(awaitRequestRow(requestId(whole))).containsEntry("output_tokens", 5L).containsEntry("streaming", false);
    }

    @Test
    void usageAddsUpPerKeyAndRecentRequestsAreListed() throws Exception {
        String key = gw.gateway.keys().create("acct-key", null, false).secret();
        String keyId = gw.gateway.keys().list().stream().filter(k -> k.name().equals("acct-key")).findFirst().orElseThrow().id();
        String last = null;
        for (int i = 0; i < 3; i++) {
            last = requestId(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/responses")))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"acct-five\",\"input\":\"x\"}"))));
        }
        awaitRequestRow(last);
        JsonNode usage = adminJson("/api/admin/usage");
        JsonNode mine = null;
        for (JsonNode row : usage.path("data")) if (row.path("key_id").asText().equals(keyId)) mine = row;
        assertThat(mine).isNotNull();
        assertThat(mine.path("requests").asLong()).isEqualTo(3);
        assertThat(mine.path("key_name").asText()).isEqualTo("acct-key");
        assertThat(mine.path("usage").path("output_tokens").asLong()).isEqualTo(15);

        JsonNode recent = adminJson("/api/admin/requests?limit=5");
        assertThat(recent.path("data")).hasSize(5);
        assertThat(recent.path("data").get(0).has("usage")).isTrue();
        assertThat(recent.path("data").get(0).path("key_name").asText()).isNotBlank();
        JsonNode older = adminJson("/api/admin/requests?limit=5&before=" + recent.path("next_before").asLong());
        assertThat(older.path("data").get(0).path("created_at").asText())
                .isLessThan(recent.path("data").get(4).path("created_at").asText());
    }

    @Test
    void theDebugLogRecordsEachUpstreamRequestAndNoSecret() throws Exception {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"acct-five\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        String requestId = requestId(response);
        Map<String, Object> event = await(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select *, usage::text as usage_text from openai_debug_events where request_id = :id")
                .bind("id", requestId).mapToMap().findOne()));
        assertThat(event).containsEntry("kind", "upstream_request").containsEntry("endpoint", "/v1/chat/completions")
                .containsEntry("model", "acct-five").containsEntry("status", 200)
                .containsEntry("upstream_request_id", response.headers().firstValue("x-request-id").orElseThrow());
        assertThat((Integer) event.get("ttfb_ms")).isNotNegative();
        assertThat(event.get("usage_text")).asString().contains("\"output_tokens\": 5");

        String everything = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select coalesce(string_agg(t::text, '|'), '') from openai_debug_events t").mapTo(String.class).one());
        assertThat(everything).doesNotContain(gw.clientKey).doesNotContain(gw.adminKey).doesNotContain(TestGateway.UPSTREAM_KEY);
    }

    @Test
    void metricsExposeStreamsEventsTimingsAndTheRecorderQueue() throws Exception {
        gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"acct-five\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        gw.send(gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini;fail=429\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        String metrics = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/metrics")))).body();
        assertThat(metrics).contains("switchboard_streams_active", "switchboard_streams_started_total{endpoint=\"/v1/chat/completions\"}",
                "switchboard_streams_finished_total{endpoint=\"/v1/chat/completions\",outcome=\"completed\"}",
                "switchboard_stream_events_relayed_total", "switchboard_upstream_ttfb_seconds_bucket",
                "switchboard_stream_duration_seconds_bucket", "switchboard_upstream_errors_total{status=\"429\"}",
                "switchboard_recorder_queue_depth", "jvm_memory_used_bytes");
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
    }

    private static Map<String, Object> awaitRequestRow(String requestId) throws InterruptedException {
        return await(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select * from request_log where request_id = :id").bind("id", requestId).mapToMap().findOne()));
    }

    static Map<String, Object> await(java.util.function.Supplier<Optional<Map<String, Object>>> query) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<Map<String, Object>> row = query.get();
            if (row.isPresent()) return row.get();
            Thread.sleep(50);
        }
        throw new AssertionError("no row within 20 s");
    }

    private static JsonNode adminJson(String path) throws Exception {
        HttpResponse<String> response = gw.send(HttpRequest.newBuilder(URI.create(gw.url(path)))
                .header("Authorization", "Bearer " + gw.adminKey));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }
}
