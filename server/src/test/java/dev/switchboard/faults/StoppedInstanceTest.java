package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Await;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A gateway process that stops while it relays streams of every kind (Chat Completions, Responses, an agent run,
 * an Assistants run), on a PostgreSQL it shares with another instance. Killed (SIGKILL), it leaves one
 * {@code interrupted} row per request in {@code request_log}, written by the instance that notices, and none twice.
 * Terminated (SIGTERM), it refuses new requests, ends every stream with an error event in its API's shape that says
 * it is shutting down, fails the runs it executes, records each request as {@code shutdown}, and exits within its
 * grace period.
 */
class StoppedInstanceTest {
    private static final String MODEL = "stopped-instance";
    /** Of its own: no other test's unfinished streams in it. */
    private static final int REDIS_DATABASE = 6;
    /** Lasts 16 s: longer than the grace, so every stream is still open when the instance stops. */
    private static final String SLOW = "{\"tokens\":400,\"delay_ms\":40}";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** When the first stream was asked for (System.nanoTime). */
    private volatile long firstSent;

    @Test
    void aKilledInstancesRequestsAreRecordedAsInterruptedOnceByAnotherInstance() throws Exception {
        try (TestGateway survivor = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true",
                "SWITCHBOARD_INSTANCE_LEASE", "4s", "SWITCHBOARD_INSTANCE_HEARTBEAT", "1s"))) {
            survivor.emulator.script(MODEL, SLOW);
            Key key = key(survivor);
            try (GatewayProcess doomed = GatewayProcess.start(survivor, Map.of("SWITCHBOARD_INSTANCE_LEASE", "4s",
                    "SWITCHBOARD_INSTANCE_HEARTBEAT", "1s"))) {
                // How long a request goes unrecorded after it was sent (a kill then loses it): printed, not asserted.
                CompletableFuture<Long> firstRowSeen = CompletableFuture.supplyAsync(() -> {
                    while (count(survivor, "select count(*) from requests_in_flight where key_id = :key", key.id) == 0) {
                        Thread.onSpinWait();
                    }
                    return System.nanoTime();
                });
                List<OpenStream> streams = openEveryKind(survivor, doomed, key);
                Await.until(Duration.ofSeconds(10), () -> count(survivor,
                        "select count(*) from requests_in_flight where key_id = :key", key.id) == streams.size());
                System.out.println("The first request's in-flight row was visible "
                        + TimeUnit.NANOSECONDS.toMicros(firstRowSeen.get() - firstSent) / 1000.0 + " ms after it was sent");

                // After a heartbeat, the rows say how far each request had got.
                Await.until(Duration.ofSeconds(15), () -> count(survivor,
                        "select count(*) from requests_in_flight where key_id = :key and events > 0", key.id) == streams.size());
                doomed.process.destroyForcibly();
                assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();

                // The surviving instance notices the lapsed heartbeat and records each request once.
                Await.until(Duration.ofSeconds(60), () -> count(survivor,
                        "select count(*) from request_log where key_id = :key and " + FORWARDED, key.id) == streams.size());
                List<Map<String, Object>> rows = rows(survivor, key);
                assertThat(rows).extracting(r -> r.get("outcome")).containsOnly("interrupted");
                assertThat(rows).extracting(r -> r.get("error")).containsOnly("gateway_instance_lost");
                assertThat(rows).extracting(r -> r.get("endpoint"))
                        .containsExactlyInAnyOrder("/v1/chat/completions", "/v1/responses", "/v1/responses", "/v1/responses");
                assertThat(rows).extracting(r -> r.get("streaming")).containsOnly(true);
                assertThat(rows).allSatisfy(r -> {
                    assertThat(((Number) r.get("events")).longValue()).isPositive();
                    assertThat(r.get("status")).isEqualTo(200);
                    assertThat(((Number) r.get("duration_ms")).longValue()).isPositive();
                });
                assertThat(rows.stream().filter(r -> r.get("endpoint").equals("/v1/chat/completions")))
                        .allSatisfy(r -> assertThat(r.get("stream_id")).isNotNull());
                assertThat(count(survivor, "select count(*) from requests_in_flight where key_id = :key", key.id)).isZero();
            }
        }
    }

    @Test
    void aTerminatedInstanceEndsEachStreamInItsShapeRecordsItAsShutdownAndExitsWithinItsGrace() throws Exception {
        terminateMidStream(Map.of());
    }

    /** With the log in Redis, the endings are in the shared log: a reader on another instance gets the same end. */
    @Test
    void aTerminatedInstanceLeavesItsStreamsEndedInTheSharedLog() throws Exception {
        String redis = TestRedis.isolated(REDIS_DATABASE);
        terminateMidStream(Map.of("REDIS_URL", redis));
    }

    private void terminateMidStream(Map<String, String> shared) throws Exception {
        Map<String, String> survivorEnv = new HashMap<>(shared);
        survivorEnv.put("OPENAI_STREAMING_ENABLED", "true");
        try (TestGateway survivor = TestGateway.start(survivorEnv)) {
            survivor.emulator.script(MODEL, SLOW);
            Key key = key(survivor);
            Duration grace = Duration.ofSeconds(6);
            Map<String, String> env = new HashMap<>(shared);
            env.put("SWITCHBOARD_SHUTDOWN_GRACE", "6s");
            try (GatewayProcess stopping = GatewayProcess.start(survivor, env)) {
                List<OpenStream> streams = openEveryKind(survivor, stopping, key);
                long terminated = System.nanoTime();
                stopping.process.destroy(); // SIGTERM

                // A new request while it drains is refused, OpenAI-shaped, so the client retries elsewhere.
                Await.until(Duration.ofSeconds(5), () -> {
                    HttpResponse<String> refused = sendQuietly(request(stopping.url("/v1/assistants"), key).GET());
                    return refused != null && refused.statusCode() == 503;
                });
                HttpResponse<String> refused = sendQuietly(request(stopping.url("/v1/assistants"), key).GET());
                if (refused != null) {
                    assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("gateway_shutting_down");
                    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                }
                // The MCP endpoint too, which has filters of its own.
                HttpResponse<String> mcp = sendQuietly(request(stopping.url("/mcp"), key)
                        .header("Accept", "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")));
                if (mcp != null) {
                    assertThat(mcp.statusCode()).isEqualTo(503);
                    assertThat(Json.MAPPER.readTree(mcp.body()).path("error").path("code").asText()).isEqualTo("gateway_shutting_down");
                }

                assertThat(stopping.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);
                assertThat(took).as("exit after SIGTERM, ms").isLessThan(grace.toMillis() + 5_000);
                for (OpenStream stream : streams) stream.ended.get(10, TimeUnit.SECONDS);

                List<SseFrame> chat = streams.get(0).frames;
                assertThat(SseFrames.json(chat.getLast()).path("error").path("code").asText()).isEqualTo("gateway_shutting_down");
                assertThat(chat).noneMatch(f -> "[DONE]".equals(f.data()));

                List<SseFrame> responses = streams.get(1).frames;
                SseFrame error = responses.getLast();
                assertThat(error.event()).isEqualTo("error");
                assertThat(SseFrames.json(error).path("code").asText()).isEqualTo("gateway_shutting_down");
                assertThat(SseFrames.json(error).path("message").asText()).contains("shutting down");
                assertThat(SseFrames.json(error).path("sequence_number").asLong())
                        .isEqualTo(SseFrames.json(responses.get(responses.size() - 2)).path("sequence_number").asLong() + 1);

                List<SseFrame> agent = streams.get(2).frames;
                assertThat(agent.getLast().event()).isEqualTo("done");
                assertThat(agent.get(agent.size() - 2).event()).isEqualTo("error");
                assertThat(SseFrames.json(agent.get(agent.size() - 2)).path("code").asText()).isEqualTo("gateway_shutting_down");

                List<SseFrame> run = streams.get(3).frames;
                assertThat(run.getLast().event()).isEqualTo("done");
                SseFrame failed = run.stream().filter(f -> "thread.run.failed".equals(f.event())).findFirst().orElseThrow();
                assertThat(SseFrames.json(failed).path("last_error").path("code").asText()).isEqualTo("gateway_shutting_down");
                assertThat(run.get(run.size() - 2).event()).isEqualTo("error");
                String runId = SseFrames.json(failed).path("id").asText();
                String threadId = SseFrames.json(failed).path("thread_id").asText();
                JsonNode stored = Json.MAPPER.readTree(http.send(request(survivor.url("/v1/threads/" + threadId + "/runs/" + runId), key)
                        .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
                assertThat(stored.path("status").asText()).isEqualTo("failed");
                assertThat(stored.path("last_error").path("code").asText()).isEqualTo("gateway_shutting_down");

                if (shared.containsKey("REDIS_URL")) {
                    for (OpenStream stream : streams) {
                        HttpResponse<String> replay = http.send(request(survivor.url("/v1/streams/" + stream.streamId), key)
                                .header("Last-Event-ID", "-1").GET().build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(SseFrames.parse(replay.body()).stream().map(f -> f.event() + " " + f.data()).toList())
                                .as(stream.streamId)
                                .containsExactlyElementsOf(stream.frames.stream().map(f -> f.event() + " " + f.data()).toList());
                    }
                }

                // Every request is recorded once, by the instance itself before it exited, as cut by the shutdown.
                List<Map<String, Object>> rows = rows(survivor, key);
                assertThat(rows).hasSize(streams.size());
                assertThat(rows).extracting(r -> r.get("outcome")).containsOnly("shutdown");
                assertThat(count(survivor, "select count(*) from requests_in_flight where key_id = :key", key.id)).isZero();
            }
        }
    }

    /** A stream being read on a thread of its own, every event kept, until it ends. */
    private record OpenStream(String streamId, List<SseFrame> frames, CompletableFuture<Void> ended) {}

    private record Key(String id, String secret) {}

    private static Key key(TestGateway gateway) {
        var created = gateway.gateway.keys().create("stopped-" + UUID.randomUUID(), null, false);
        return new Key(created.key().id(), created.secret());
    }

    /** Chat Completions, Responses, an agent run and an Assistants run, each with its first event received. */
    private List<OpenStream> openEveryKind(TestGateway survivor, GatewayProcess instance, Key key) throws Exception {
        String session = post(survivor.url("/api/agent/sessions"), key, "{\"model\":\"" + MODEL + "\"}").path("id").asText();
        String assistant = post(survivor.url("/v1/assistants"), key, "{\"model\":\"" + MODEL + "\"}").path("id").asText();
        String thread = post(survivor.url("/v1/threads"), key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Go on.\"}]}").path("id").asText();
        List<OpenStream> streams = new ArrayList<>();
        firstSent = System.nanoTime();
        streams.add(open(instance.url("/v1/chat/completions"), key,
                "{\"model\":\"" + MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        streams.add(open(instance.url("/v1/responses"), key, "{\"model\":\"" + MODEL + "\",\"stream\":true,\"input\":\"x\"}"));
        streams.add(open(instance.url("/api/agent/stream"), key, "{\"session_id\":\"" + session + "\",\"input\":\"x\"}"));
        streams.add(open(instance.url("/v1/threads/" + thread + "/runs"), key,
                "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}"));
        return streams;
    }

    private OpenStream open(String url, Key key, String body) throws Exception {
        HttpResponse<InputStream> response = http.send(request(url, key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        List<SseFrame> frames = Collections.synchronizedList(new ArrayList<>());
        SseReader reader = new SseReader(response.body());
        for (SseFrame f; frames.isEmpty() && (f = reader.next()) != null; ) if (f.hasData()) frames.add(f);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread.ofVirtual().name("stream-reader").start(() -> {
            try (InputStream ignored = response.body()) {
                for (SseFrame f; (f = reader.next()) != null; ) if (f.hasData()) frames.add(f);
            } catch (IOException cut) {
                // the stream ended without its last bytes: the assertions on its events say so
            }
            ended.complete(null);
        });
        return new OpenStream(response.headers().firstValue("X-Switchboard-Stream-Id").orElse(null), frames, ended);
    }

    private JsonNode post(String url, Key key, String body) throws Exception {
        HttpResponse<String> response = http.send(request(url, key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isBetween(200, 201);
        return Json.MAPPER.readTree(response.body());
    }

    private static HttpRequest.Builder request(String url, Key key) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key.secret)
                .header("Content-Type", "application/json").header("OpenAI-Beta", "assistants=v2")
                .timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> sendQuietly(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException gone) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The rows of requests that went upstream (relayed, or the gateway's own calls for runs and agent turns): the
     * requests the gateway answered itself (creating the assistant, following a run's stream) have rows too.
     */
    private static final String FORWARDED = "outcome is distinct from 'answered'";

    private static List<Map<String, Object>> rows(TestGateway gateway, Key key) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select * from request_log where key_id = :key and " + FORWARDED).bind("key", key.id).mapToMap().list());
    }

    private static long count(TestGateway gateway, String sql, String keyId) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(sql).bind("key", keyId).mapTo(Long.class).one());
    }
}
