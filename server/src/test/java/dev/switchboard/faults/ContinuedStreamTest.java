package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Await;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A background Responses stream outlives the gateway instance relaying it, with the stream log in Redis: whether
 * that instance is killed (SIGKILL) or stops (SIGTERM, which hands the stream over), another instance adopts the
 * stream and reads the rest of the response from upstream into the same log. A client that resumes there with its
 * {@code Last-Event-ID} gets every remaining event up to {@code response.completed}, ids equal to
 * {@code sequence_number}, none twice, exactly as upstream sent them; the continuation is one request row of its own.
 */
class ContinuedStreamTest {
    private static final String MODEL = "continued-stream";
    /** Of its own: no other test's unfinished streams in it. */
    private static final int REDIS_DATABASE = 11;
    /** About 12 s: still running when the instance relaying it stops. */
    private static final String SLOW = "{\"tokens\":300,\"delay_ms\":40}";
    private static final String BODY = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"background\":true,\"input\":\"x\"}";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aBackgroundStreamOfAKilledInstanceIsContinuedFromUpstreamByAnother() throws Exception {
        Map<String, String> shared = shared();
        try (TestGateway survivor = TestGateway.start(withStreaming(shared))) {
            survivor.emulator.script(MODEL, SLOW);
            try (GatewayProcess doomed = GatewayProcess.start(survivor, shared)) {
                Original original = open(survivor, doomed);
                List<SseFrame> had = new ArrayList<>();
                for (int i = 0; i < 6; i++) had.add(original.reader.next());
                doomed.process.destroyForcibly();
                assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                original.body.close();

                assertContinued(survivor, original, had);
                // The cut relay is recorded once as interrupted, by the instance that noticed, with no usage: only
                // the terminal event carries it, and the continuation counted it.
                Await.until(Duration.ofSeconds(60), () -> row(survivor, original.requestId) != null);
                Map<String, Object> cut = row(survivor, original.requestId);
                assertThat(cut.get("outcome")).isEqualTo("interrupted");
                assertThat(cut.get("total_tokens")).isNull();
            }
        }
    }

    @Test
    void aBackgroundStreamOfAStoppedInstanceIsHandedOverAndContinuedByAnother() throws Exception {
        Map<String, String> shared = shared();
        try (TestGateway survivor = TestGateway.start(withStreaming(shared))) {
            survivor.emulator.script(MODEL, SLOW);
            Map<String, String> env = new HashMap<>(shared);
            env.put("SWITCHBOARD_SHUTDOWN_GRACE", "4s");
            try (GatewayProcess stopping = GatewayProcess.start(survivor, env)) {
                Original original = open(survivor, stopping);
                List<SseFrame> had = new ArrayList<>();
                had.add(original.reader.next());
                stopping.process.destroy(); // SIGTERM
                for (SseFrame f; (f = original.reader.next()) != null; ) if (f.hasData()) had.add(f);
                assertThat(stopping.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

                // Its own client is told, in the Responses shape, that the stream goes on elsewhere; that event is
                // not the log's (no id), which goes on with upstream's.
                SseFrame told = had.removeLast();
                assertThat(told.event()).isEqualTo("error");
                assertThat(told.id()).isNull();
                JsonNode error = SseFrames.json(told);
                assertThat(error.path("code").asText()).isEqualTo("gateway_shutting_down");
                assertThat(error.path("message").asText()).contains("/v1/streams/" + original.streamId).contains("Last-Event-ID");
                assertThat(had).noneMatch(f -> "response.completed".equals(f.event()));

                assertContinued(survivor, original, had);
                Map<String, Object> cut = row(survivor, original.requestId);
                assertThat(cut.get("outcome")).isEqualTo("shutdown");
                assertThat(cut.get("error")).isEqualTo("gateway_shutting_down");
                assertThat(cut.get("total_tokens")).isNull();
            }
        }
    }

    /**
     * Resumes on the survivor after the client's last event: the rest comes, up to {@code response.completed}; the
     * whole log is what upstream streams for the response; the continuation is accounted once, with the usage.
     */
    private void assertContinued(TestGateway survivor, Original original, List<SseFrame> had) throws Exception {
        for (int i = 0; i < had.size(); i++) assertThat(had.get(i).id()).isEqualTo(String.valueOf(i));
        String lastId = had.getLast().id();
        HttpResponse<String> resumed = http.send(request(survivor, "/v1/streams/" + original.streamId)
                .header("Last-Event-ID", lastId).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resumed.statusCode()).isEqualTo(200);
        List<SseFrame> rest = SseFrames.parse(resumed.body());
        assertThat(rest).isNotEmpty();
        assertThat(rest.getLast().event()).isEqualTo("response.completed");
        assertThat(rest).noneMatch(f -> "error".equals(f.event()));
        List<SseFrame> all = new ArrayList<>(had);
        all.addAll(rest);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).id()).as("event %d", i).isEqualTo(String.valueOf(i));
            assertThat(SseFrames.json(all.get(i)).path("sequence_number").asLong()).as("event %d", i).isEqualTo(i);
        }

        // The events are upstream's own, each once: the emulator streams the finished response the same.
        String responseId = SseFrames.json(all.getFirst()).path("response").path("id").asText();
        HttpResponse<String> upstream = http.send(HttpRequest.newBuilder(URI.create(survivor.emulator.baseUrl()
                        + "/responses/" + responseId + "?stream=true")).header("Authorization", "Bearer " + TestGateway.UPSTREAM_KEY)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(all.stream().map(f -> f.event() + " " + f.data()).toList()).containsExactlyElementsOf(
                SseFrames.parse(upstream.body()).stream().map(f -> f.event() + " " + f.data()).toList());

        // A later reader of the whole stream gets the same.
        HttpResponse<String> replay = http.send(request(survivor, "/v1/streams/" + original.streamId)
                .header("Last-Event-ID", "-1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(SseFrames.parse(replay.body()).stream().map(SseFrame::raw).toList())
                .containsExactlyElementsOf(all.stream().map(SseFrame::raw).toList());

        // One row for the continuation, completed, with the response's usage; none for an ended stream.
        Await.until(Duration.ofSeconds(30), () -> rows(survivor, original.streamId).stream()
                .anyMatch(r -> "completed".equals(r.get("outcome"))));
        List<Map<String, Object>> rows = rows(survivor, original.streamId);
        assertThat(rows).filteredOn(r -> "completed".equals(r.get("outcome"))).singleElement().satisfies(r -> {
            assertThat(r.get("endpoint")).isEqualTo("/v1/responses/{id}");
            assertThat(((Number) r.get("total_tokens")).longValue()).isPositive();
            // The events after the last one logged by the relay that was cut (the client may have read fewer).
            assertThat(((Number) r.get("events")).longValue()).isPositive().isLessThanOrEqualTo(all.size() - had.size());
        });
        assertThat(rows).noneMatch(r -> "instance_lost".equals(r.get("outcome")));
    }

    private record Original(String streamId, String requestId, SseReader reader, InputStream body) {}

    private Original open(TestGateway survivor, GatewayProcess instance) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(instance.url("/v1/responses")))
                .header("Authorization", "Bearer " + survivor.clientKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return new Original(response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow(),
                response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow(),
                new SseReader(response.body()), response.body());
    }

    private static Map<String, String> shared() {
        return Map.of("REDIS_URL", TestRedis.isolated(REDIS_DATABASE), "SWITCHBOARD_INSTANCE_LEASE", "4s",
                "SWITCHBOARD_INSTANCE_HEARTBEAT", "1s");
    }

    private static Map<String, String> withStreaming(Map<String, String> shared) {
        Map<String, String> env = new HashMap<>(shared);
        env.put("OPENAI_STREAMING_ENABLED", "true");
        return env;
    }

    private static HttpRequest.Builder request(TestGateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url(path))).header("Authorization", "Bearer " + gateway.clientKey)
                .timeout(Duration.ofSeconds(60)).GET();
    }

    private static Map<String, Object> row(TestGateway gateway, String requestId) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select * from request_log where request_id = :id").bind("id", requestId).mapToMap().findOne().orElse(null));
    }

    private static List<Map<String, Object>> rows(TestGateway gateway, String streamId) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select * from request_log where stream_id = :id").bind("id", streamId).mapToMap().list());
    }
}
