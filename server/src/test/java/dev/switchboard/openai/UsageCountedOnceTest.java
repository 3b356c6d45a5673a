package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.switchboard.Await;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage belongs to the request that spent it: reading an object again (a response, its replayed stream, a batch)
 * counts nothing, in the request log, the usage view and the key's token budgets; a batch's usage, which only its
 * Batch object reports, counts once for the key that created it, however often and on whichever instance it is read.
 */
class UsageCountedOnceTest {
    static TestGateway gw;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aResponseRetrievedAgainAndAgainCountsItsTokensOnce() throws Exception {
        TestGateway.ClientKey key = gw.newKey("{\"tokens_per_day\":100000000}");
        HttpResponse<String> created = gw.send(withKey(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini;tokens=40\",\"input\":\"count me once\"}"), key));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode response = Json.MAPPER.readTree(created.body());
        long tokens = response.path("usage").path("total_tokens").asLong();
        assertThat(tokens).isPositive();
        String id = response.path("id").asText();

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> read = gw.send(withKey(gw.get("/v1/responses/" + id), key));
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(read.body()).path("usage").path("total_tokens").asLong()).isEqualTo(tokens);
        }
        for (int i = 0; i < 2; i++) {
            HttpResponse<InputStream> replay = gw.open(withKey(gw.get("/v1/responses/" + id + "?stream=true"), key));
            assertThat(replay.statusCode()).isEqualTo(200);
            String events;
            try (InputStream body = replay.body()) {
                events = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(events).contains("response.completed", "\"total_tokens\":" + tokens);
        }

        JsonNode usage = usageOnceAllRowsAreIn(gw, key, 6);
        assertThat(usage.path("usage").path("total_tokens").asLong()).isEqualTo(tokens);
        assertTokensToday(gw, key, tokens);
    }

    @Test
    void aBackgroundResponseCountsItsTokensOnceWhenFirstReadEnded() throws Exception {
        TestGateway.ClientKey key = gw.newKey("{\"tokens_per_day\":100000000}");
        HttpResponse<String> created = gw.send(withKey(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini;tokens=30;delay_ms=5\",\"input\":\"later\",\"background\":true}"), key));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = Json.MAPPER.readTree(created.body()).path("id").asText();
        AtomicInteger requests = new AtomicInteger(1);
        JsonNode done = Await.result(Duration.ofSeconds(30), () -> {
            requests.incrementAndGet();
            return json(gw.send(withKey(gw.get("/v1/responses/" + id), key)).body());
        }, response -> response.path("status").asText().equals("completed"));
        long tokens = done.path("usage").path("total_tokens").asLong();
        assertThat(tokens).isPositive();
        for (int i = 0; i < 2; i++) {
            HttpResponse<InputStream> replay = gw.open(withKey(gw.get("/v1/responses/" + id + "?stream=true"), key));
            try (InputStream body = replay.body()) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("response.completed");
            }
            assertThat(gw.send(withKey(gw.get("/v1/responses/" + id), key)).statusCode()).isEqualTo(200);
            requests.addAndGet(2);
        }

        JsonNode usage = usageOnceAllRowsAreIn(gw, key, requests.get() + 1);
        assertThat(usage.path("usage").path("total_tokens").asLong()).isEqualTo(tokens);
        assertTokensToday(gw, key, tokens);
    }

    @Test
    void aBackgroundResponseFirstReadAsAStreamCountsOnce() throws Exception {
        TestGateway.ClientKey key = gw.newKey("{\"tokens_per_day\":100000000}");
        HttpResponse<String> created = gw.send(withKey(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini;tokens=20\",\"input\":\"later\",\"background\":true}"), key));
        String id = Json.MAPPER.readTree(created.body()).path("id").asText();
        // Followed to its end as a stream, never read as an object.
        String events = "";
        for (int i = 0; i < 2; i++) {
            HttpResponse<InputStream> replay = gw.open(withKey(gw.get("/v1/responses/" + id + "?stream=true"), key));
            try (InputStream body = replay.body()) {
                events = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        assertThat(events).contains("response.completed");
        int at = events.indexOf("\"total_tokens\":", events.indexOf("response.completed"));
        long tokens = Long.parseLong(events.substring(at + 15).split("[^0-9]", 2)[0]);

        JsonNode usage = usageOnceAllRowsAreIn(gw, key, 4);
        assertThat(usage.path("usage").path("total_tokens").asLong()).isEqualTo(tokens);
        assertTokensToday(gw, key, tokens);
    }

    @Test
    void aBatchsUsageCountsOnceForItsCreatorAcrossInstancesAndReads() throws Exception {
        try (TestGateway other = TestGateway.start(Map.of("OPENAI_BASE_URL", gw.emulator.baseUrl()))) {
            TestGateway.ClientKey key = gw.newKey("{\"tokens_per_day\":100000000}");
            AtomicInteger requests = new AtomicInteger();
            String lines = """
                    {"custom_id":"one","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini;tokens=30","messages":[{"role":"user","content":"one"}]}}
                    {"custom_id":"two","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini;tokens=50","messages":[{"role":"user","content":"two"}]}}
                    """;
            Path file = dir.resolve("batch.jsonl");
            Files.writeString(file, lines);
            FileObject input = gw.sdk(key.secret()).files().create(FileCreateParams.builder().file(file)
                    .purpose(FilePurpose.BATCH).build());
            Batch batch = gw.sdk(key.secret()).batches().create(BatchCreateParams.builder().inputFileId(input.id())
                    .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                    .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
            requests.addAndGet(2);

            // Read to its end alternately through both instances: whichever first sees it completed counts it.
            AtomicInteger turn = new AtomicInteger();
            Batch done = Await.result(Duration.ofSeconds(30), () -> {
                requests.incrementAndGet();
                TestGateway reader = turn.getAndIncrement() % 2 == 0 ? gw : other;
                return reader.sdk(key.secret()).batches().retrieve(batch.id());
            }, current -> Batch.Status.COMPLETED.equals(current.status()));
            long tokens = done.usage().orElseThrow().totalTokens();
            assertThat(tokens).isPositive();
            for (TestGateway reader : new TestGateway[] {gw, other, gw, other}) {
                assertThat(reader.sdk(key.secret()).batches().retrieve(batch.id()).usage().orElseThrow().totalTokens())
                        .isEqualTo(tokens);
                assertThat(reader.sdk(key.secret()).batches().list().data()).extracting(Batch::id).contains(batch.id());
                requests.addAndGet(2);
            }

            // Every request of the key, plus the one row that carries the batch's usage.
            JsonNode usage = usageOnceAllRowsAreIn(gw, key, requests.get() + 1);
            assertThat(usage.path("usage").path("total_tokens").asLong()).isEqualTo(tokens);
            assertTokensToday(gw, key, tokens);
            assertTokensToday(other, key, tokens);
            java.util.List<JsonNode> counted = Await.result(Duration.ofSeconds(10), () -> rowsOf(gw, key, "/v1/batches/{id}"),
                    rows -> rows.size() > 0);
            long withUsage = 0;
            for (JsonNode row : counted) if (row.path("usage").isObject()) withUsage++;
            assertThat(withUsage).isEqualTo(1);
        }
    }

    /** The key's row of {@code /api/admin/usage} once the request log has all its {@code requests} rows. */
    static JsonNode usageOnceAllRowsAreIn(TestGateway gateway, TestGateway.ClientKey key, int requests) {
        return Await.result(Duration.ofSeconds(15), () -> {
            JsonNode page = json(gateway.send(gateway.admin("/api/admin/usage").GET()).body());
            for (JsonNode row : page.path("data")) if (row.path("key_id").asText().equals(key.id())) return row;
            return Json.object();
        }, row -> row.path("requests").asInt() >= requests);
    }

    /**
     * The key's tokens today, as {@code gateway} reports them, are {@code expected}: waited for, since the key's
     * counters are added to off the relay's thread, just after the usage row is queued.
     */
    static void assertTokensToday(TestGateway gateway, TestGateway.ClientKey key, long expected) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> {
            try {
                return tokensToday(gateway, key) == expected;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(tokensToday(gateway, key)).isEqualTo(expected);
    }

    static long tokensToday(TestGateway gateway, TestGateway.ClientKey key) throws Exception {
        return Json.MAPPER.readTree(gateway.send(gateway.admin("/api/admin/keys/" + key.id() + "/limits").GET()).body())
                .path("usage").path("tokens_today").asLong();
    }

    static java.util.List<JsonNode> rowsOf(TestGateway gateway, TestGateway.ClientKey key, String endpoint) {
        JsonNode page = json(gateway.send(gateway.admin("/api/admin/requests?limit=200").GET()).body());
        java.util.List<JsonNode> rows = new java.util.ArrayList<>();
        for (JsonNode row : page.path("data")) {
            if (row.path("key_id").asText().equals(key.id()) && row.path("endpoint").asText().equals(endpoint)) rows.add(row);
        }
        return rows;
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    static HttpRequest.Builder withKey(HttpRequest.Builder request, TestGateway.ClientKey key) {
        return request.setHeader("Authorization", "Bearer " + key.secret());
    }
}
