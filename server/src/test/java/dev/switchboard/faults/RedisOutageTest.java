package dev.switchboard.faults;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis, which instances share the stream log and the limit counters through, stops and starts again: streams go
 * on (only their resumption elsewhere is lost while it is away), limits let requests through rather than refuse
 * them all, and everything works as before once it is back.
 */
class RedisOutageTest {
    @Test
    void streamsAndLimitsSurviveRedisStoppingAndStarting() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process redis = startRedis(port);
        try (TestGateway gw = TestGateway.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + port))) {
            String limited = limitedKey(gw);
            HttpResponse<InputStream> stream = gw.open(gw.post("/v1/chat/completions", slowChat()));
            SseReader reader = new SseReader(stream.body());
            List<SseFrame> frames = new ArrayList<>();
            for (int i = 0; i < 3; i++) frames.add(reader.next());

            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
            // The stream in flight goes on to its end.
            for (SseFrame frame; (frame = reader.next()) != null; ) frames.add(frame);
            assertThat(frames.getLast().data()).isEqualTo("[DONE]");
            // New streams and limited keys are served while Redis is away, without waiting on it.
            long started = System.nanoTime();
            HttpResponse<String> during = gw.send(gw.post("/v1/chat/completions", chat("during the outage")));
            assertThat(during.statusCode()).isEqualTo(200);
            assertThat(during.body()).endsWith("data: [DONE]\n\n");
            assertThat(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models"))).header("Authorization", "Bearer " + limited))
                    .statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

            redis = startRedis(port);
            // Back: a stream begun now is resumable again, from another reader.
            awaitTrue(() -> {
                HttpResponse<String> probe = gw.send(gw.post("/v1/responses", "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"input\":\"probe\"}"));
                String streamId = probe.headers().firstValue("X-Switchboard-Stream-Id").orElse("");
                return gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "0")).statusCode() == 200;
            });
            HttpResponse<String> resumed = gw.send(gw.post("/v1/responses", "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"input\":\"after\"}"));
            String streamId = resumed.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
            List<SseFrame> replay = SseFrames.parse(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "1")).body());
            assertThat(replay.getFirst().id()).isEqualTo("2");
            assertThat(replay.getLast().event()).isEqualTo("response.completed");
        } finally {
            redis.destroyForcibly();
        }
    }

    private static Process startRedis(int port) throws Exception {
        Process redis = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return redis;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("redis-server did not start on port " + port);
    }

    private static String limitedKey(TestGateway gw) throws Exception {
        var created = dev.switchboard.web.Json.MAPPER.readTree(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"limited-in-outage\"}"))).body());
        gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + created.path("id").asText() + "/limits")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"requests_per_minute\":100,\"concurrent_streams\":5}")));
        return created.path("key").asText();
    }

    private static String slowChat() {
        return "{\"model\":\"gpt-4o-mini;tokens=30;delay_ms=40\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    }

    private static String chat(String text) {
        return "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }
}
