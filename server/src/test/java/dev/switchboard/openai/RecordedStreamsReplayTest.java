package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Streams recorded from the real API, replayed by the emulator, must reach the client byte for byte. */
class RecordedStreamsReplayTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static Stream<Path> recordings() throws IOException {
        Path dir = Path.of(System.getProperty("switchboard.shared", "../../shared"), "reference/recorded/chat-completions");
        if (!Files.isDirectory(dir)) throw new IllegalStateException("The recorded streams are missing: " + dir.toAbsolutePath());
        return Files.list(dir).filter(p -> p.toString().endsWith(".sse")).sorted();
    }

    /** The recordings were made with include_usage; asking the same way must give every byte back. */
    @ParameterizedTest
    @MethodSource("recordings")
    void relaysTheRecordedStreamUnchanged(Path recording) throws IOException {
        String received = replay(recording, ",\"stream_options\":{\"include_usage\":true}");
        assertThat(SseFrames.withoutGatewayLines(received)).isEqualTo(Files.readString(recording));
    }

    /** Without include_usage the client gets the same stream less the usage chunk the gateway asked for itself. */
    @ParameterizedTest
    @MethodSource("recordings")
    void dropsOnlyTheUsageChunkWhenTheClientDidNotAskForUsage(Path recording) throws IOException {
        String received = SseFrames.withoutGatewayLines(replay(recording, ""));
        String recorded = Files.readString(recording);
        String usageChunk = recorded.substring(recorded.lastIndexOf("data: {", recorded.lastIndexOf("data: [DONE]")),
                recorded.lastIndexOf("data: [DONE]"));
        assertThat(usageChunk).contains("\"choices\":[]", "\"usage\":{");
        assertThat(received).isEqualTo(recorded.replace(usageChunk, ""));
    }

    private String replay(Path recording, String extraFields) throws IOException {
        String model = "replay-" + recording.getFileName();
        gw.emulator.script(model, Json.write(Json.object().put("replay", recording.toAbsolutePath().toString())));
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/chat/completions", "{\"model\":\"" + model
                + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]" + extraFields + "}"));
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream body = response.body()) {
            return new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
