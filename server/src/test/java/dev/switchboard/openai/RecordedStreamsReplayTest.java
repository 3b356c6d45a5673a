package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

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

    @ParameterizedTest
    @MethodSource("recordings")
    void relaysTheRecordedStreamUnchanged(Path recording) throws IOException {
        String model = "replay-" + recording.getFileName();
        gw.emulator.script(model, Json.write(Json.object().put("replay", recording.toAbsolutePath().toString())));
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        byte[] received;
        try (InputStream body = response.body()) {
            received = body.readAllBytes();
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(received).isEqualTo(Files.readAllBytes(recording));
    }
}
