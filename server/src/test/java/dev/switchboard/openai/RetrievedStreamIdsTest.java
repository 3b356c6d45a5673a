package dev.switchboard.openai;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 16: a retrieved Responses stream ({@code GET /v1/responses/{id}?stream=true}) numbers its
 * {@code id:} lines with its events' {@code sequence_number}s, wherever it starts, so {@code Last-Event-ID} and
 * {@code starting_after} mean the same, on this route and on {@code /v1/streams/{id}}.
 */
class RetrievedStreamIdsTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        gw.emulator.script("ids-slow", "{\"tokens\":40,\"delay_ms\":20}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void idLinesAreSequenceNumbersWhereverTheRetrievedStreamStarts() throws Exception {
        String id = backgroundResponseAfterEvents(10);

        HttpResponse<String> resumed = gw.send(gw.get("/v1/responses/" + id + "?stream=true&starting_after=9"));
        assertThat(resumed.statusCode()).isEqualTo(200);
        List<SseFrame> frames = SseFrames.parse(resumed.body());
        assertThat(frames.getFirst().id()).isEqualTo("10");
        assertIdsAreSequenceNumbers(frames);
        assertThat(frames.getLast().event()).isEqualTo("response.completed");

        // The same stream's log, read after one of those ids, goes on with the same numbers.
        String streamId = resumed.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        List<SseFrame> tail = SseFrames.parse(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "12")).body());
        assertThat(tail.getFirst().id()).isEqualTo("13");
        assertThat(tail).extracting(SseFrame::data).containsExactlyElementsOf(frames.subList(3, frames.size()).stream()
                .map(SseFrame::data).toList());
        assertIdsAreSequenceNumbers(tail);

        // From the start, ids and sequence numbers both count from 0.
        List<SseFrame> whole = SseFrames.parse(gw.send(gw.get("/v1/responses/" + id + "?stream=true")).body());
        assertThat(whole.getFirst().id()).isEqualTo("0");
        assertIdsAreSequenceNumbers(whole);
    }

    @Test
    void lastEventIdMeansWhatStartingAfterMeans() throws Exception {
        String id = backgroundResponseAfterEvents(5);
        List<SseFrame> byQuery = SseFrames.parse(gw.send(gw.get("/v1/responses/" + id + "?stream=true&starting_after=7")).body());
        List<SseFrame> byHeader = SseFrames.parse(gw.send(gw.get("/v1/responses/" + id + "?stream=true")
                .header("Last-Event-ID", "7")).body());
        assertThat(byHeader.getFirst().id()).isEqualTo("8");
        assertThat(byHeader).extracting(SseFrame::id).containsExactlyElementsOf(byQuery.stream().map(SseFrame::id).toList());
        assertThat(byHeader).extracting(SseFrame::data).containsExactlyElementsOf(byQuery.stream().map(SseFrame::data).toList());
        assertIdsAreSequenceNumbers(byHeader);

        assertThat(assertError(gw.send(gw.get("/v1/responses/" + id + "?stream=true").header("Last-Event-ID", "x")),
                400, "invalid_value").path("param").asText()).isEqualTo("Last-Event-ID");
    }

    /** Starts a background stream, reads {@code events} events and leaves; returns the response's id. */
    private static String backgroundResponseAfterEvents(int events) throws Exception {
        HttpResponse<InputStream> created = gw.open(gw.post("/v1/responses",
                "{\"model\":\"ids-slow\",\"stream\":true,\"background\":true,\"input\":\"x\"}"));
        SseReader reader = new SseReader(created.body());
        String id = null;
        for (int i = 0; i < events; i++) {
            SseFrame frame = reader.next();
            if ("response.created".equals(frame.event())) id = SseFrames.json(frame).path("response").path("id").asText();
        }
        created.body().close();
        assertThat(id).startsWith("resp_");
        return id;
    }

    private static void assertIdsAreSequenceNumbers(List<SseFrame> frames) {
        for (SseFrame frame : frames) {
            assertThat(frame.id()).as(frame.data()).isEqualTo(SseFrames.json(frame).path("sequence_number").asText());
        }
    }
}
