package dev.switchboard.stream;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamResumeTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_STREAM_RETENTION", "1s"));
        gw.emulator.script("resume-slow", "{\"tokens\":30,\"delay_ms\":30}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void everyEventCarriesAnIdAndTheStreamIdIsInAHeader() {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b\"}]}"));
        List<SseFrame> frames = SseFrames.parse(response.body());
        for (int i = 0; i < frames.size(); i++) assertThat(frames.get(i).id()).isEqualTo(String.valueOf(i));
        assertThat(response.headers().firstValue("X-Switchboard-Stream-Id")).hasValueSatisfying(id -> assertThat(id).startsWith("strm_"));
    }

    @Test
    void aSecondReaderAttachedMidStreamGetsTheRestWithNoGapOrDuplicate() throws Exception {
        HttpResponse<InputStream> original = gw.open(gw.post("/v1/responses",
                "{\"model\":\"resume-slow\",\"stream\":true,\"input\":\"x\"}"));
        String streamId = original.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        List<SseFrame> first = new ArrayList<>();
        SseReader reader = new SseReader(original.body());
        for (int i = 0; i < 6; i++) first.add(reader.next());

        HttpResponse<String> resumed = gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "5"));
        List<SseFrame> rest = new ArrayList<>();
        for (SseFrame f; (f = reader.next()) != null; ) rest.add(f);
        original.body().close();

        List<SseFrame> tail = SseFrames.parse(resumed.body());
        assertThat(tail).extracting(SseFrame::id).containsExactlyElementsOf(rest.stream().map(SseFrame::id).toList());
        assertThat(tail).extracting(SseFrame::data).containsExactlyElementsOf(rest.stream().map(SseFrame::data).toList());
        assertThat(tail.get(0).id()).isEqualTo("6");
        assertThat(tail.get(tail.size() - 1).event()).isEqualTo("response.completed");
    }

    @Test
    void aFinishedStreamReplaysAfterTheGivenIdUntilItsRetentionEnds() throws Exception {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}"));
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        List<SseFrame> all = SseFrames.parse(response.body());

        HttpResponse<String> replay = gw.send(gw.get("/v1/streams/" + streamId + "?starting_after=2"));
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(SseFrames.parse(replay.body())).extracting(SseFrame::data)
                .containsExactlyElementsOf(all.subList(3, all.size()).stream().map(SseFrame::data).toList());

        long deadline = System.nanoTime() + 15_000_000_000L;
        HttpResponse<String> gone;
        do {
            Thread.sleep(250);
            gone = gw.send(gw.get("/v1/streams/" + streamId));
        } while (gone.statusCode() == 200 && System.nanoTime() < deadline);
        assertError(gone, 410, "stream_expired");
    }

    @Test
    void aResumableStreamKeepsRunningWhenItsClientLeaves() throws Exception {
        HttpResponse<InputStream> original = gw.open(gw.post("/v1/responses",
                "{\"model\":\"resume-slow\",\"stream\":true,\"background\":true,\"input\":\"x\"}"));
        String streamId = original.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        SseReader reader = new SseReader(original.body());
        SseFrame created = reader.next();
        reader.next();
        reader.next();
        original.body().close();

        HttpResponse<String> resumed = gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "2"));
        List<SseFrame> tail = SseFrames.parse(resumed.body());
        assertThat(tail.get(0).id()).isEqualTo("3");
        assertThat(tail.get(tail.size() - 1).event()).isEqualTo("response.completed");
        String responseId = SseFrames.json(created).path("response").path("id").asText();
        assertThat(gw.emulator.observations().clientCancelledResponses()).doesNotContain(responseId);
    }

    @Test
    void unknownOrForeignStreamsAre404AndBadPositionsAre400() {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        String otherOwner = gw.gateway.keys().create("someone-else", "other-owner", false).secret();
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/streams/" + streamId)))
                .header("Authorization", "Bearer " + otherOwner)), 404, "not_found");
        assertError(gw.send(gw.get("/v1/streams/strm_0000000000000000")), 404, "not_found");
        assertError(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "abc")), 400, "invalid_value");
        assertError(gw.send(gw.get("/v1/streams/not-a-stream")), 400, "invalid_value");
    }
}
