package dev.switchboard.faults;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A gateway instance is killed (SIGKILL, no chance to clean up) while a client is attached to a stream it relays.
 * The client resumes on another instance sharing PostgreSQL and Redis: it gets every event the dead instance
 * logged, then, once the dead instance's lease has lapsed, one error event in the Responses shape instead of a
 * stream that never ends. The request is accounted once, by the instance that ended the stream. A stream nobody
 * resumes is ended all the same, by the surviving instance's sweeper.
 */
class InstanceKilledTest {
    private static final String MODEL = "killed-instance";
    /** Of its own: the adoptions counted here must be of this test's streams only. */
    private static final int REDIS_DATABASE = 3;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aClientOfAKilledInstanceResumesOnAnotherAndTheStreamEndsOnce() throws Exception {
        String redis = TestRedis.isolated(REDIS_DATABASE);
        Map<String, String> shared = Map.of("REDIS_URL", redis, "SWITCHBOARD_DEBUG_EVENTS", "true", "OPENAI_STREAMING_ENABLED", "true");
        try (TestGateway survivor = TestGateway.start(shared)) {
            survivor.emulator.script(MODEL, "{\"tokens\":400,\"delay_ms\":40}");
            try (GatewayProcess doomed = GatewayProcess.start(survivor, Map.of("REDIS_URL", redis, "SWITCHBOARD_DEBUG_EVENTS", "true"))) {
                String streamId = streamThenKill(survivor, doomed, "/v1/responses",
                        "{\"model\":\"" + MODEL + "\",\"stream\":true,\"input\":\"x\"}", 6);

                // Two clients resume at once on the surviving instance: both see the same events and one ending.
                CompletableFuture<HttpResponse<String>> first = resume(survivor, streamId, "5");
                CompletableFuture<HttpResponse<String>> second = resume(survivor, streamId, "-1");
                List<SseFrame> rest = SseFrames.parse(first.get(60, TimeUnit.SECONDS).body());
                List<SseFrame> all = SseFrames.parse(second.get(60, TimeUnit.SECONDS).body());

                assertThat(all.size()).as("the six events the client had, and the ending").isGreaterThanOrEqualTo(6 + 1);
                for (int i = 0; i < all.size(); i++) assertThat(all.get(i).id()).isEqualTo(String.valueOf(i));
                assertThat(rest).hasSize(all.size() - 6);
                for (int i = 0; i < rest.size(); i++) assertThat(rest.get(i).raw()).isEqualTo(all.get(i + 6).raw());
                assertThat(all.stream().filter(f -> "error".equals(f.event()))).hasSize(1);
                SseFrame ending = all.getLast();
                assertThat(ending.event()).isEqualTo("error");
                assertThat(SseFrames.json(ending).path("code").asText()).isEqualTo("gateway_instance_lost");
                long before = SseFrames.json(all.get(all.size() - 2)).path("sequence_number").asLong();
                assertThat(SseFrames.json(ending).path("sequence_number").asLong()).isEqualTo(before + 1);
                assertThat(all.stream().noneMatch(f -> "response.completed".equals(f.event()))).isTrue();

                // Accounted once, with every upstream event its log holds (not the ending); the debug log has it once.
                awaitTrue(() -> count(survivor, "select count(*) from request_log where stream_id = :id", streamId) == 1);
                Map<String, Object> row = survivor.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select * from request_log where stream_id = :id").bind("id", streamId).mapToMap().one());
                assertThat(row.get("outcome")).isEqualTo("instance_lost");
                assertThat(((Number) row.get("events")).longValue()).isEqualTo(all.size() - 1);
                String requestId = (String) row.get("request_id");
                awaitTrue(() -> count(survivor, "select count(*) from openai_debug_events where request_id = :id", requestId) == 1);

                // A later reader gets the same ended stream, at once.
                HttpResponse<String> later = survivor.send(survivor.get("/v1/streams/" + streamId).header("Last-Event-ID", "-1"));
                assertThat(SseFrames.parse(later.body()).stream().map(SseFrame::raw).toList())
                        .containsExactlyElementsOf(all.stream().map(SseFrame::raw).toList());
                assertThat(survivor.send(survivor.get("/metrics")).body()).contains("switchboard_streams_adopted_total 1.0");
            }
        }
    }

    @Test
    void anAgentRunOfAKilledInstanceIsRecordedAsFailedWithNoReaderAndEndsForALaterOne() throws Exception {
        String redis = TestRedis.isolated(REDIS_DATABASE);
        try (TestGateway survivor = TestGateway.start(Map.of("REDIS_URL", redis, "OPENAI_STREAMING_ENABLED", "true"))) {
            survivor.emulator.script(MODEL, "{\"tokens\":400,\"delay_ms\":40}");
            HttpResponse<String> created = survivor.send(survivor.post("/api/agent/sessions",
                    "{\"model\":\"" + MODEL + "\",\"instructions\":\"Be brief.\"}"));
            String session = Json.MAPPER.readTree(created.body()).path("id").asText();
            try (GatewayProcess doomed = GatewayProcess.start(survivor, Map.of("REDIS_URL", redis, "SWITCHBOARD_DEBUG_EVENTS", "true"))) {
                String streamId = streamThenKill(survivor, doomed, "/api/agent/stream",
                        "{\"session_id\":\"" + session + "\",\"input\":\"long\"}", 4);

                // Nobody resumes: the surviving instance's sweeper finds the stream and settles the run.
                awaitTrue(() -> "failed".equals(survivor.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select status from agent_runs where stream_id = :id").bind("id", streamId).mapTo(String.class).one())));
                String error = survivor.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select error::text from agent_runs where stream_id = :id").bind("id", streamId).mapTo(String.class).one());
                assertThat(error).contains("gateway_instance_lost");

                // A client that comes back later gets what it missed and the same ending, at once.
                List<SseFrame> resumed = SseFrames.parse(resume(survivor, streamId, "3").get(60, TimeUnit.SECONDS).body());
                assertThat(resumed).isNotEmpty();
                assertThat(resumed.get(resumed.size() - 2).event()).isEqualTo("error");
                assertThat(SseFrames.json(resumed.get(resumed.size() - 2)).path("code").asText()).isEqualTo("gateway_instance_lost");
                assertThat(resumed.getLast().event()).isEqualTo("done");
                assertThat(resumed.stream().filter(f -> "error".equals(f.event()))).hasSize(1);
            }
        }
    }

    /**
     * Starts a stream on the doomed instance, reads its first {@code frames} events (ids 0, 1, …), then kills the
     * instance with SIGKILL while the client is attached. Returns the stream's id.
     */
    private String streamThenKill(TestGateway survivor, GatewayProcess doomed, String path, String body, int frames)
            throws Exception {
        HttpResponse<InputStream> original = http.send(HttpRequest.newBuilder(URI.create(doomed.url(path)))
                .header("Authorization", "Bearer " + survivor.clientKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(original.statusCode()).isEqualTo(200);
        String streamId = original.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        SseReader reader = new SseReader(original.body());
        for (int i = 0; i < frames; i++) assertThat(reader.next().id()).isEqualTo(String.valueOf(i));
        doomed.process.destroyForcibly();
        assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        original.body().close();
        return streamId;
    }

    private CompletableFuture<HttpResponse<String>> resume(TestGateway gateway, String streamId, String lastEventId) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url("/v1/streams/" + streamId)))
                .header("Authorization", "Bearer " + gateway.clientKey).header("Last-Event-ID", lastEventId)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(TestGateway gateway, String sql, String id) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(sql).bind("id", id).mapTo(Long.class).one());
    }
}
