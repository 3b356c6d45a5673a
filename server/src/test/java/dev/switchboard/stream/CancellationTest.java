package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

public class CancellationTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "500ms"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aClientLeavingWhileUpstreamIsQuietIsNoticedByTheHeartbeatAndUpstreamIsCancelled() throws Exception {
        // Two seconds between tokens: the gateway writes nothing to the client meanwhile except heartbeats.
        gw.emulator.script("quiet-chat", "{\"tokens\":20,\"delay_ms\":2000}");
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/chat/completions",
                "{\"model\":\"quiet-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        String completionId;
        try (InputStream body = response.body()) {
            SseFrame first = new SseReader(body).next();
            completionId = SseFrames.json(first).path("id").asText();
        }
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        // The gateway lets go of the stream, and upstream sees the hang-up at its next write.
        awaitTrue(() -> gw.gateway.liveStreams().find(streamId).isEmpty());
        awaitTrue(() -> gw.emulator.observations().clientCancelledResponses().contains(completionId));
        HttpResponse<String> log = gw.send(gw.get("/v1/streams/" + streamId));
        List<SseFrame> logged = SseFrames.parse(log.body());
        assertThat(SseFrames.json(logged.get(logged.size() - 1)).path("error").path("code").asText())
                .isEqualTo("client_disconnected");
    }

    @Test
    void heartbeatsKeepAQuietStreamVisiblyAlive() throws Exception {
        gw.emulator.script("quiet-short", "{\"tokens\":2,\"delay_ms\":1500}");
        String body = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"quiet-short\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).body();
        assertThat(body).contains(": keep-alive\n\n").endsWith("data: [DONE]\n\n");
    }

    @Test
    void anAdministratorSeesLiveStreamsAndCanCancelOne() throws Exception {
        gw.emulator.script("long-stream", "{\"tokens\":200,\"delay_ms\":50}");
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/responses",
                "{\"model\":\"long-stream\",\"stream\":true,\"input\":\"x\"}"));
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        SseReader reader = new SseReader(response.body());
        reader.next();

        HttpResponse<String> listed = gw.send(admin("/api/admin/streams").GET());
        JsonNode streams = Json.MAPPER.readTree(listed.body()).path("data");
        JsonNode mine = null;
        for (JsonNode s : streams) if (s.path("id").asText().equals(streamId)) mine = s;
        assertThat(mine).isNotNull();
        assertThat(mine.path("endpoint").asText()).isEqualTo("/v1/responses");
        assertThat(mine.path("model").asText()).isEqualTo("long-stream");
        assertThat(mine.path("key_name").asText()).isEqualTo("test-client");
        assertThat(mine.path("age_ms").asLong()).isNotNegative();
        assertThat(mine.path("events").asLong()).isPositive();
        JsonNode one = Json.MAPPER.readTree(gw.send(admin("/api/admin/streams?limit=1").GET()).body());
        assertThat(one.path("data")).hasSize(1);
        assertThat(one.path("total").asInt()).isGreaterThanOrEqualTo(1);

        assertThat(gw.send(admin("/api/admin/streams/" + streamId).DELETE()).statusCode()).isEqualTo(200);
        SseFrame last = null;
        for (SseFrame f; (f = reader.next()) != null; ) if (f.hasData()) last = f;
        response.body().close();
        assertThat(last.event()).isEqualTo("error");
        assertThat(SseFrames.json(last).path("code").asText()).isEqualTo("stream_cancelled");
        assertThat(gw.send(admin("/api/admin/streams/" + streamId).DELETE()).statusCode()).isEqualTo(404);
    }

    private static HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey);
    }

    /** Waits up to 20 s for the condition; it is asked once per try, so a condition with effects is not asked twice. */
    public static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        boolean held = condition.getAsBoolean();
        while (!held && System.nanoTime() < deadline) {
            Thread.sleep(50);
            held = condition.getAsBoolean();
        }
        assertThat(held).as("condition within 20 s").isTrue();
    }
}
