package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamingBehaviourTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        // A long idle timeout: if the gateway buffered, the reads below would block far past the client's timeout.
        gw = TestGateway.start(Map.of("SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT", "60s"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void eachEventIsFlushedAsItArrivesNotWhenTheStreamEnds() throws Exception {
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini;stall_after=3\",\"stream\":true,\"input\":\"hello\"}"));
        try (InputStream body = response.body(); var reader = Executors.newVirtualThreadPerTaskExecutor()) {
            SseReader events = new SseReader(body);
            // Upstream sends three events, then holds the connection open and silent until released. A gateway
            // that buffered would deliver nothing until the idle timeout (60 s), far past this bound.
            List<String> firstThree = reader.submit(() -> List.of(events.next().event(), events.next().event(),
                    events.next().event())).get(20, TimeUnit.SECONDS);
            assertThat(firstThree).containsExactly("response.created", "response.in_progress", "response.output_item.added");

            gw.emulator.releaseStalls();
            String last = null;
            for (SseFrame frame; (frame = events.next()) != null; ) last = frame.event();
            assertThat(last).isEqualTo("response.completed");
        }
    }

    @Test
    void aClientThatLeavesCancelsTheUpstreamResponse() throws Exception {
        gw.emulator.script("slow-leaver", "{\"tokens\":200,\"delay_ms\":50}");
        String responseId;
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/responses",
                "{\"model\":\"slow-leaver\",\"stream\":true,\"input\":\"hello\"}"));
        try (InputStream body = response.body()) {
            SseFrame created = new SseReader(body).next();
            responseId = created.data().replaceAll(".*\"id\":\"(resp_[A-Za-z0-9]+)\".*", "$1");
        }
        assertThat(responseId).startsWith("resp_");
        // The emulator notices when its client (the gateway) hangs up; allow it a generous while to get there.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!gw.emulator.observations().clientCancelledResponses().contains(responseId) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(gw.emulator.observations().clientCancelledResponses()).contains(responseId);
    }
}
