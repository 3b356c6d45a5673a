package dev.switchboard.debug;

import static dev.switchboard.ErrorAssertions.assertError;
import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestDatabase;
import dev.switchboard.TestGateway;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.Json;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 2: one bad row cannot stop accounting. A NUL in a model name once made the request-log writer
 * retry the same batch forever, so nothing was recorded after it and token budgets stopped holding.
 */
class OneBadRowTest {
    static TestGateway gw;
    /** A database of this test's own: what it records must not show in other tests' counts, nor theirs in its. */
    static String database;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase(TestDatabase.sharedUrl());
        gw = TestGateway.start(Map.of("DATABASE_URL", database, "SWITCHBOARD_DEBUG_EVENTS", "true"));
        gw.emulator.script("nul-sixty", "{\"tokens\":60}");
        gw.emulator.script("nul-output", "{\"text\":\"before\\u0000after\"}");
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        TestDatabase.drop(TestDatabase.sharedUrl(), database);
    }

    @Test
    void aNulInTheModelIsRefusedAndAccountingAndBudgetsGoOn() throws Exception {
        String key = newKey("{\"tokens_per_day\":100}");
        // The exact request of the issue.
        HttpResponse<String> nul = gw.send(withKey(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\\u0000\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), key));
        assertThat(assertError(nul, 400, "invalid_value").path("param").asText()).isEqualTo("model");
        assertThat(nul.body()).doesNotContain("\\u0000");
        JsonNode tabbed = assertError(gw.send(withKey(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o\\tmini\",\"input\":\"hi\"}"), key)), 400, "invalid_value");
        assertThat(tabbed.path("param").asText()).isEqualTo("model");

        // A normal request after it is recorded, and the key's budget of 100 tokens still holds.
        HttpResponse<String> first = chat(key, "nul-sixty");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        awaitTrue(() -> recorded(requestId(first)));
        HttpResponse<String> second = chat(key, "nul-sixty");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        awaitTrue(() -> recorded(requestId(second)));
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        awaitTrue(() -> {
            last.set(chat(key, "nul-sixty"));
            return last.get().statusCode() == 429;
        });
        assertError(last.get(), 429, "token_budget_exhausted");
    }

    @Test
    void aDataUrlIsAPayloadNotAnAddress() {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
                + "iVBORw0K\\nGgoAAAAN\"}}]}]}"));
        assertThat(response.statusCode()).as(response.body()).isNotEqualTo(400);
    }

    @Test
    void textRelayedAndNotKeptMayHoldNul() throws Exception {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        awaitTrue(() -> recorded(requestId(response)));
    }

    @Test
    void storingANulAnswers400NamingTheFieldNever500() throws Exception {
        assertParam(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\",\"name\":\"a\\u0000\"}")), "name");
        assertParam(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\",\"metadata\":{\"k\":\"v\\u0000\"}}")),
                "metadata.k");
        assertParam(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\",\"instructions\":\"x\\u0000\"}")),
                "instructions");
        String thread = Json.MAPPER.readTree(gw.send(gw.post("/v1/threads", "{}")).body()).path("id").asText();
        assertParam(gw.send(gw.post("/v1/threads/" + thread + "/messages", "{\"role\":\"user\",\"content\":\"hi\\u0000\"}")),
                "content");
        assertParam(gw.send(gw.post("/v1/threads/" + thread + "/messages",
                "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\\u0000\"}]}")), "content[0].text");
        assertParam(gw.send(gw.post("/api/agent/sessions", "{\"name\":\"n\",\"instructions\":\"be\\u0000 brief\"}")),
                "instructions");
        assertParam(gw.send(admin("/api/admin/keys").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"k\\u0000\"}"))),
                "name");
        assertParam(gw.send(admin("/api/admin/keys").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"k\\r\\nx\"}"))),
                "name");
        assertParam(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\",\"metadata\":{\"a\\u0000b\":\"v\"}}")),
                "metadata.a\\u0000b");
    }

    @Test
    void theRequestLogStoresANulThatReachesItAnotherWay() throws Exception {
        RequestLogRepository repository = new RequestLogRepository(gw.gateway.database().jdbi());
        String id = "req_nul_" + System.nanoTime();
        RequestRow row = new RequestRow(id, null, null, "owner\0", "/v1/realtime", "gpt-realtime\0", true, null, 200,
                "completed", "broken\0", null, new Usage(1, 2, 3), -1, 5, 0, Instant.now());
        repository.insertRequests(List.of(row));
        repository.insertDebugEvents(List.of(row));
        repository.insertToolCalls(List.of(new RequestRecorder.ToolCallRow("call_" + id, "run\0", null, "tool\0", 1,
                "Not a URL: http://x/\0", Instant.now())));
        String model = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select model from request_log where request_id = :id").bind("id", id).mapTo(String.class).one());
        assertThat(model).isEqualTo("gpt-realtime\uFFFD");
    }

    @Test
    void aModelsOutputWithNulIsKeptAndTheRunCompletes() throws Exception {
        String assistant = Json.MAPPER.readTree(gw.send(gw.post("/v1/assistants", "{\"model\":\"nul-output\"}")).body())
                .path("id").asText();
        String thread = Json.MAPPER.readTree(gw.send(gw.post("/v1/threads",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"say it\"}]}")).body()).path("id").asText();
        HttpResponse<String> run = gw.send(gw.post("/v1/threads/" + thread + "/runs",
                "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}"));
        assertThat(run.body()).contains("event: thread.run.completed").doesNotContain("thread.run.failed");
        JsonNode messages = Json.MAPPER.readTree(gw.send(gw.get("/v1/threads/" + thread + "/messages")).body());
        assertThat(messages.path("data").get(0).path("content").get(0).path("text").path("value").asText())
                .isEqualTo("before\uFFFDafter");
    }

    @Test
    void aRowTheDatabaseStillRefusesIsDeadLetteredAndTheOthersAreWritten() throws Exception {
        var jdbi = gw.gateway.database().jdbi();
        jdbi.useHandle(h -> h.execute("create table bad_row_probe (v text primary key check (v <> 'poison'))"));
        BatchWriter.Sink<String> sink = batch -> jdbi.useTransaction(h -> {
            var insert = h.prepareBatch("insert into bad_row_probe (v) values (:v) on conflict do nothing");
            for (String v : batch) insert.bind("v", v).add();
            insert.execute();
        });
        try (BatchWriter<String> writer = new BatchWriter<>("probe", 100, 10, Duration.ofMillis(300), sink, v -> v)) {
            writer.offer("a");
            writer.offer("poison");
            writer.offer("b");
            awaitTrue(() -> writer.written() == 2);
            writer.offer("c");
            awaitTrue(() -> writer.written() == 3);
            assertThat(writer.deadLettered()).isEqualTo(1);
            assertThat(writer.deadLetters()).singleElement().satisfies(letter -> {
                assertThat(letter.label()).isEqualTo("poison");
                assertThat(letter.reason()).startsWith("SQLSTATE 23514");
            });
            assertThat(writer.retried()).isZero();
        }
        String written = jdbi.withHandle(h -> h.createQuery("select string_agg(v, ',' order by v) from bad_row_probe")
                .mapTo(String.class).one());
        assertThat(written).isEqualTo("a,b,c");
        assertThat(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/metrics")))).body())
                .contains("switchboard_recorder_dead_letters_total");
    }

    @Test
    void aNulInAVisionOcrUrlIsRefusedAndToolCallsAreStillRecorded() throws Exception {
        var transport = HttpClientStreamableHttpTransport.builder(gw.url("")).endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + gw.clientKey)).build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            client.initialize();
            long before = toolCalls();
            McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("document.vision_ocr",
                    Map.of("url", "https://example.com/a\u0000.png")));
            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().get(0)).text()).contains("control character");
            client.callTool(new McpSchema.CallToolRequest("document.vision_ocr", Map.of("url", "not a url")));
            awaitTrue(() -> toolCalls() == before + 2);
        }
    }

    private static long toolCalls() {
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from openai_debug_events where kind = 'tool_call'").mapTo(Long.class).one());
    }

    private static void assertParam(HttpResponse<String> response, String param) {
        assertThat(assertError(response, 400, "invalid_value").path("param").asText()).isEqualTo(param);
    }

    private static HttpResponse<String> chat(String key, String model) {
        return gw.send(withKey(gw.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"count\"}]}"), key));
    }

    private static boolean recorded(String requestId) {
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from request_log where request_id = :id").bind("id", requestId).mapTo(Long.class).one()) == 1;
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
    }

    private static String newKey(String limits) throws Exception {
        JsonNode created = Json.MAPPER.readTree(gw.send(admin("/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"one-bad-row\"}"))).body());
        HttpResponse<String> set = gw.send(admin("/api/admin/keys/" + created.path("id").asText() + "/limits")
                .PUT(HttpRequest.BodyPublishers.ofString(limits)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return created.path("key").asText();
    }

    private static HttpRequest.Builder withKey(HttpRequest.Builder request, String key) {
        return request.setHeader("Authorization", "Bearer " + key);
    }

    private static HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey)
                .header("Content-Type", "application/json");
    }
}
