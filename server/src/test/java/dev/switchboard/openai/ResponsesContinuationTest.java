package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.stream.StreamMeta;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a Responses continuation reads from the log before it asks upstream for anything. */
class ResponsesContinuationTest {
    private static final StreamMeta META = new StreamMeta("strm_1", "owner-1", "key_1", "/v1/responses", "m", true,
            Instant.now(), "sbreq_1");

    @Test
    void theResponseIdComesFromTheResponseCreatedEventOnly() throws Exception {
        assertThat(ResponsesContinuation.responseId(frame("event: response.created\ndata: {\"type\":\"response.created\","
                + "\"sequence_number\":0,\"response\":{\"id\":\"resp_abc\",\"status\":\"queued\"}}"))).isEqualTo("resp_abc");
        assertThat(ResponsesContinuation.responseId(frame("event: response.queued\ndata: {\"type\":\"response.queued\","
                + "\"response\":{\"id\":\"resp_abc\"}}"))).isNull();
        assertThat(ResponsesContinuation.responseId(frame("event: response.created\ndata: {\"type\":\"response.created\","
                + "\"response\":{\"id\":\"../../files\"}}"))).as("not an id to put in a path").isNull();
        assertThat(ResponsesContinuation.responseId(frame(": keep-alive"))).isNull();
    }

    @Test
    void aStreamWhoseTerminalEventIsLoggedIsNotContinued() throws Exception {
        SseFrame created = frame("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
                + "\"response\":{\"id\":\"resp_abc\"}}");
        SseFrame completed = frame("event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":9}");
        // No upstream is asked: there is none here.
        assertThat(new ResponsesContinuation(null, null).resume(META, created, completed, 9)).isNull();
    }

    private static SseFrame frame(String text) throws Exception {
        return new SseReader(new ByteArrayInputStream((text + "\n\n").getBytes(StandardCharsets.UTF_8))).next();
    }
}
