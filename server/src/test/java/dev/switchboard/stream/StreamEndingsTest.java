package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.web.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamEndingsTest {
    private final StreamEndings endings = new StreamEndings()
            .register("/v1/responses", (code, message, last) -> List.of(bytes("event: error\ndata: {}\n\n")))
            .register("/v1/responses/special", (code, message, last) -> List.of());

    @Test
    void theLongestRegisteredPrefixAnswersAndOthersGetThePlainEnding() throws Exception {
        assertThat(endings.forEndpoint("/v1/responses").closingEvents("c", "m", null)).hasSize(1);
        assertThat(endings.forEndpoint("/v1/responses/resp_1").closingEvents("c", "m", null)).hasSize(1);
        assertThat(endings.forEndpoint("/v1/responses/special").closingEvents("c", "m", null)).isEmpty();
        // Not a path below a registered one, only a name that starts the same: the plain ending.
        List<byte[]> plain = endings.forEndpoint("/v1/responsesx").closingEvents("gateway_instance_lost", "gone", null);
        assertThat(plain).hasSize(2);
        SseFrame error = frame(plain.get(0));
        assertThat(error.event()).isEqualTo("error");
        assertThat(Json.MAPPER.readTree(error.data()).path("code").asText()).isEqualTo("gateway_instance_lost");
        assertThat(frame(plain.get(1)).data()).isEqualTo("[DONE]");
    }

    @Test
    void aNamedEventStreamThatReachedDoneGetsNoEnding() throws Exception {
        StreamEnding ending = NamedEvents.ending((code, message) -> Json.object().put("code", code));
        assertThat(ending.closingEvents("c", "m", frame(NamedEvents.frame("done", null)))).isEmpty();
        assertThat(ending.closingEvents("c", "m", frame(NamedEvents.frame("text-delta", Json.object())))).hasSize(2);
    }

    private static SseFrame frame(byte[] bytes) throws Exception {
        return new SseReader(new ByteArrayInputStream(bytes)).next();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
