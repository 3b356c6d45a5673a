package dev.switchboard.emulator.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.emulator.media.MediaEmulator.Multipart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The media endpoints fail as scripted, like every other endpoint: directives, registrations and the header. */
class MediaFaultsTest {
    static MediaEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = MediaEmulator.start();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void directivesInTheModelNameFailThenRecover() throws Exception {
        MediaEmulator.Answer limited = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small;fail=429\",\"input\":\"x\"}");
        assertThat(limited.error(429).path("code").asText()).isEqualTo("rate_limit_exceeded");

        String once = "{\"model\":\"gpt-image-1;fail=503;fail_times=1\",\"prompt\":\"x\",\"quality\":\"low\"}";
        emulator.postJson("/images/generations", once).error(503);
        MediaEmulator.Answer recovered = emulator.postJson("/images/generations", once);
        assertThat(recovered.status()).as(recovered.text()).isEqualTo(200);

        emulator.postMultipart("/audio/transcriptions", new Multipart().field("model", "whisper-1;fail=500")
                .file("file", "a.wav", "audio/wav", new byte[100])).error(500);
        emulator.postJson("/moderations", "{\"model\":\"omni-moderation-latest;fail=401\",\"input\":\"x\"}").error(401);
        emulator.postJson("/audio/speech", "{\"model\":\"tts-1;fail=502\",\"voice\":\"alloy\",\"input\":\"x\"}").error(502);
    }

    @Test
    void aDirectiveIsNotPartOfTheModelAnswered() throws Exception {
        MediaEmulator.Answer answer = emulator.postJson("/embeddings", "{\"model\":\"text-embedding-3-small;delay_ms=1\",\"input\":\"x\"}");
        assertThat(answer.json().path("model").asText()).isEqualTo("text-embedding-3-small");
        assertThat(answer.json().path("data").get(0).path("embedding")).hasSize(1536);
    }

    @Test
    void aRegisteredNameAndTheScriptHeaderAreHonoured() throws Exception {
        emulator.emulator.script("my-embedder", "{\"fail_status\":429,\"retry_after\":7}");
        MediaEmulator.Answer registered = emulator.postJson("/embeddings", "{\"model\":\"my-embedder\",\"input\":\"x\"}");
        registered.error(429);
        HttpResponse<String> header = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(emulator.emulator.baseUrl()
                        + "/moderations")).header("Authorization", "Bearer " + MediaEmulator.KEY)
                .header("X-Emulator-Script", "{\"fail_status\":503}").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(header.statusCode()).isEqualTo(503);
    }
}
