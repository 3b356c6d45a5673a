package dev.switchboard.faults;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the upstream before and during a stream, with and without retries: what the client sees, and that the
 * request log holds each request exactly once.
 */
class UpstreamFaultsTest {
    @TempDir
    Path temp;

    @Test
    void withoutRetriesA429OrA503BeforeTheFirstByteReachesTheClientAsItIs() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            HttpResponse<String> limited = gw.send(gw.post("/v1/chat/completions", chat("gpt-4o-mini;fail=429;retry_after=3")));
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(gw.send(gw.post("/v1/chat/completions", chat("gpt-4o-mini;fail=503;fail_times=1"))).statusCode()).isEqualTo(503);
            assertThat(upstreamCalls(gw, "fail=503")).isEqualTo(1);
            assertLoggedOnce(gw, limited);
        }
    }

    @Test
    void withRetriesAPassingRefusalIsInvisibleAndALastingOneStillReachesTheClient() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("SWITCHBOARD_UPSTREAM_RETRIES", "2"))) {
            // Fails twice, then answers: the client sees one whole stream, exactly once.
            HttpResponse<String> recovered = gw.send(gw.post("/v1/chat/completions", chat("gpt-4o-mini;fail=503;fail_times=2")));
            assertThat(recovered.statusCode()).isEqualTo(200);
            List<SseFrame> frames = SseFrames.parse(recovered.body());
            assertThat(recovered.body()).endsWith("data: [DONE]\n\n");
            assertThat(frames.stream().filter(f -> f.data() != null && f.data().contains("\"role\":\"assistant\"")).count()).isEqualTo(1);
            assertThat(upstreamCalls(gw, "fail=503;fail_times=2")).isEqualTo(3);
            assertLoggedOnce(gw, recovered);

            // Always refused: after the retries the client gets OpenAI's answer.
            HttpResponse<String> lasting = gw.send(gw.post("/v1/chat/completions", chat("gpt-4o-mini;fail=502")));
            assertThat(lasting.statusCode()).isEqualTo(502);
            assertThat(upstreamCalls(gw, "fail=502")).isEqualTo(3);

            // A wait longer than is worth holding the client for goes back to the client at once.
            HttpResponse<String> later = gw.send(gw.post("/v1/chat/completions", chat("gpt-4o-mini;fail=429;retry_after=60")));
            assertThat(later.statusCode()).isEqualTo(429);
            assertThat(upstreamCalls(gw, "retry_after=60")).isEqualTo(1);
        }
    }

    @Test
    void malformedEventsAreRelayedAsTheyCameAndTheStreamStillEndsWellFormed() throws Exception {
        Path malformed = Files.writeString(temp.resolve("malformed.sse"), """
                data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"ok"}}]}

                data: {this is not json

                event: surprise
                retry: soon
                : a comment

                a line that is not a field at all

                data: {"unterminated": "string
                """);
        try (TestGateway gw = TestGateway.start()) {
            HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions", chat("gpt-4o-mini;replay=" + malformed)));
            assertThat(response.statusCode()).isEqualTo(200);
            String body = SseFrames.withoutGatewayLines(response.body());
            assertThat(body).contains("data: {this is not json\n\n", "event: surprise\n");
            List<SseFrame> frames = SseFrames.parse(response.body());
            // No terminal event came: the gateway ends the stream with an error chunk the client can read.
            assertThat(SseFrames.json(frames.getLast()).path("error").path("code").asText()).isNotBlank();
            assertLoggedOnce(gw, response);
            assertThat(gw.send(gw.get("/v1/models")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aDropOrAStallMidStreamIsRecordedOnceAndItsLogHoldsExactlyWhatTheClientSaw() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT", "1s", "SWITCHBOARD_DEBUG_EVENTS", "true"))) {
            for (String fault : List.of("drop_after=4", "stall_after=3")) {
                HttpResponse<String> response = gw.send(gw.post("/v1/responses",
                        "{\"model\":\"gpt-4o-mini;" + fault + "\",\"stream\":true,\"input\":\"one two three four five\"}"));
                List<SseFrame> seen = SseFrames.parse(response.body());
                assertThat(seen.getLast().event()).isEqualTo("error");
                assertThat(SseFrames.json(seen.getLast()).path("code").asText())
                        .isEqualTo(fault.startsWith("drop") ? "upstream_disconnected" : "upstream_timeout");

                // Read back from the stream's log: the same events, none missing, none twice.
                String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
                List<SseFrame> logged = SseFrames.parse(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "-1")).body());
                assertThat(logged.stream().map(SseFrame::raw).toList()).containsExactlyElementsOf(seen.stream().map(SseFrame::raw).toList());

                assertLoggedOnce(gw, response);
                String requestId = response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
                Map<String, Object> row = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select outcome, events from request_log where request_id = :id").bind("id", requestId).mapToMap().one());
                assertThat(row.get("outcome")).isEqualTo(fault.startsWith("drop") ? "upstream_failed" : "upstream_timeout");
                // Upstream's events: the error event the gateway ended the stream with is not counted.
                assertThat(((Number) row.get("events")).longValue()).isEqualTo(seen.size() - 1);
                awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select count(*) from openai_debug_events where request_id = :id").bind("id", requestId)
                        .mapTo(Long.class).one()) == 1);
            }
        }
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}";
    }

    private static long upstreamCalls(TestGateway gw, String modelPart) {
        return gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/chat/completions") && r.body().contains(modelPart)).count();
    }

    private static void assertLoggedOnce(TestGateway gw, HttpResponse<String> response) throws InterruptedException {
        String requestId = response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
        awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery("select count(*) from request_log where request_id = :id")
                .bind("id", requestId).mapTo(Long.class).one()) == 1);
        Thread.sleep(500);
        long rows = gw.gateway.database().jdbi().withHandle(h -> h.createQuery("select count(*) from request_log where request_id = :id")
                .bind("id", requestId).mapTo(Long.class).one());
        assertThat(rows).isEqualTo(1);
    }
}
