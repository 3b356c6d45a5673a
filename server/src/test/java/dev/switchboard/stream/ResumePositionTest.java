package dev.switchboard.stream;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, item 10: a resume position ({@code Last-Event-ID} or {@code starting_after}) beyond what the stream has
 * logged so far, or not a number, is refused with 400 in OpenAI's shape; it never replays the stream with garbage
 * ids.
 */
class ResumePositionTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        gw.emulator.script("position-slow", "{\"tokens\":300,\"delay_ms\":50}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aPositionBeyondAFinishedStreamOrNotANumberIsRefused() {
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two\"}]}"));
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        int events = SseFrames.parse(response.body()).size();

        JsonNode error = assertError(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", String.valueOf(Long.MAX_VALUE))),
                400, "invalid_value");
        assertThat(error.path("param").asText()).isEqualTo("Last-Event-ID");
        assertThat(error.path("message").asText()).contains(String.valueOf(events - 1));
        assertThat(assertError(gw.send(gw.get("/v1/streams/" + streamId + "?starting_after=" + events)), 400, "invalid_value")
                .path("param").asText()).isEqualTo("starting_after");

        // The last event itself is a fine position: nothing more to read.
        HttpResponse<String> atEnd = gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", String.valueOf(events - 1)));
        assertThat(atEnd.statusCode()).isEqualTo(200);
        assertThat(SseFrames.parse(atEnd.body())).isEmpty();

        // And what is no event id at all.
        for (String bad : List.of("abc", "-2", "1e3", "99999999999999999999", "1.5")) {
            assertError(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", bad)), 400, "invalid_value");
        }
    }

    @Test
    void onALiveStreamAPositionNotWrittenYetIsRefusedAndOneWrittenResumes() throws Exception {
        HttpResponse<InputStream> original = gw.open(gw.post("/v1/responses",
                "{\"model\":\"position-slow\",\"stream\":true,\"input\":\"x\"}"));
        String streamId = original.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        SseReader reader = new SseReader(original.body());
        for (int i = 0; i < 3; i++) reader.next();
        try {
            assertError(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "150")), 400, "invalid_value");
            HttpResponse<InputStream> resumed = gw.open(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", "1"));
            assertThat(resumed.statusCode()).isEqualTo(200);
            SseFrame next = new SseReader(resumed.body()).next();
            assertThat(next.id()).isEqualTo("2");
            resumed.body().close();
        } finally {
            original.body().close();
        }
    }

    static Stream<Arguments> logs() {
        Supplier<EventLog> memory = () -> EventLogs.inMemory(Duration.ofMinutes(1));
        Supplier<EventLog> redis = () -> EventLogs.redis(TestRedis.requireReachable(), Duration.ofMinutes(1));
        return Stream.of(Arguments.of("memory", memory), Arguments.of("redis", redis));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void theLastSequenceIsTheLastEventLoggedSoFar(String name, Supplier<EventLog> factory) {
        try (EventLog log = factory.get()) {
            String id = StreamMeta.newId();
            log.create(new StreamMeta(id, "owner", "key", "/v1/responses", null, false, Instant.now()));
            assertThat(log.lastSeq(id)).isEqualTo(-1);
            log.append(id, "data: a\n\n".getBytes(StandardCharsets.UTF_8));
            log.append(id, "data: b\n\n".getBytes(StandardCharsets.UTF_8));
            assertThat(log.lastSeq(id)).isEqualTo(1);
            log.finish(id);
            assertThat(log.lastSeq(id)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void aStreamThatContinuesAnotherIsNumberedFromItsFirstEvent(String name, Supplier<EventLog> factory) throws Exception {
        try (EventLog log = factory.get()) {
            String id = StreamMeta.newId();
            log.create(new StreamMeta(id, "owner", "key", "/v1/responses", null, false, Instant.now(), null, 10));
            assertThat(log.lastSeq(id)).isEqualTo(9);
            assertThat(log.append(id, "data: a\n\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(10);
            assertThat(log.append(id, "data: b\n\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(11);
            log.finish(id);
            assertThat(log.lastSeq(id)).isEqualTo(11);
            assertThat(log.find(id).orElseThrow().firstSeq()).isEqualTo(10);
            try (EventLog.Cursor all = log.read(id, -1); EventLog.Cursor after = log.read(id, 10)) {
                assertThat(all.next(Duration.ofSeconds(5)).seq()).isEqualTo(10);
                assertThat(all.next(Duration.ofSeconds(5)).seq()).isEqualTo(11);
                assertThat(all.next(Duration.ofSeconds(5))).isEqualTo(LoggedEvent.END);
                assertThat(new String(after.next(Duration.ofSeconds(5)).frame(), StandardCharsets.UTF_8)).isEqualTo("data: b\n\n");
            }
        }
    }

    /** Read on another instance, whose only copy is Redis's: "from the start" is from the stream's first event. */
    @Test
    void anotherInstanceReadsAContinuedStreamFromItsFirstEvent() throws Exception {
        try (EventLog writer = EventLogs.redis(TestRedis.requireReachable(), Duration.ofMinutes(1));
             EventLog reader = EventLogs.redis(TestRedis.requireReachable(), Duration.ofMinutes(1))) {
            String id = StreamMeta.newId();
            writer.create(new StreamMeta(id, "owner", "key", "/v1/responses", null, false, Instant.now(), null, 10));
            writer.append(id, "data: a\n\n".getBytes(StandardCharsets.UTF_8));
            writer.finish(id);
            try (EventLog.Cursor all = reader.read(id, -1)) {
                assertThat(all.next(Duration.ofSeconds(5)).seq()).isEqualTo(10);
                assertThat(all.next(Duration.ofSeconds(5))).isEqualTo(LoggedEvent.END);
            }
        }
    }
}
