package dev.switchboard.realtime;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A voice session's transcript spoken in the default format ({@code OPENAI_TTS_FORMAT=mp3}) works offline: the
 * emulator answers an MP3 that FFmpeg (installed by {@code scripts/test-prerequisites}) decodes for 120 ms a word.
 */
class TranscriptSpeechDefaultFormatTest {
    @TempDir
    Path dir;

    @Test
    void theTranscriptIsSpokenAsAnMp3ByDefault() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true"))) {
            String agent = json(post(gw, "/api/agent/sessions", "{\"name\":\"concierge\",\"model\":\"gpt-4o-mini\"}")).path("id").asText();
            JsonNode session = json(post(gw, "/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}"));
            String id = session.path("id").asText();
            try (RealtimeRelayTest.Client client = RealtimeRelayTest.Client.connect(gw, "gpt-realtime",
                    List.of("Authorization", "Bearer " + session.path("client_secret").path("value").asText()), List.of())) {
                client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
                client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                        + "\"content\":[{\"type\":\"input_text\",\"text\":\"where is breakfast\"}]}}");
                client.send("{\"type\":\"response.create\"}");
                while (!client.next(null).path("type").asText().equals("response.done")) {
                    // read up to the end of the turn
                }
            }
            awaitTrue(() -> {
                try {
                    return json(get(gw, "/api/agent/realtime/session/" + id)).path("status").asText().equals("ended");
                } catch (Exception e) {
                    return false;
                }
            });

            HttpResponse<byte[]> speech = RealtimeRelayTest.HTTP.send(HttpRequest.newBuilder(
                            URI.create(gw.url("/api/agent/realtime/session/" + id + "/speech")))
                    .header("Authorization", "Bearer " + gw.clientKey).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(speech.statusCode()).as(new String(speech.body())).isEqualTo(200);
            assertThat(speech.headers().firstValue("Content-Type")).hasValue("audio/mpeg");
            Path mp3 = dir.resolve("transcript.mp3");
            Files.write(mp3, speech.body());
            Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name",
                    "-of", "json", mp3.toString()).redirectErrorStream(true).start();
            String probed = new String(probe.getInputStream().readAllBytes());
            assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(probe.exitValue()).as(probed).isZero();
            JsonNode info = Json.MAPPER.readTree(probed);
            assertThat(info.path("streams").get(0).path("codec_name").asText()).isEqualTo("mp3");
            // "where is breakfast" and "Echo: where is breakfast" are 7 words.
            assertThat(info.path("format").path("duration").asDouble()).isCloseTo(7 * 0.120, within(0.05));
        }
    }

    private static HttpResponse<String> post(TestGateway gw, String path, String body) throws Exception {
        return RealtimeRelayTest.HTTP.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.clientKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(TestGateway gw, String path) throws Exception {
        return RealtimeRelayTest.HTTP.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.clientKey)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
