package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 15: the sizes the emulator's Realtime API takes, as OpenAI does, and refuses before it does any work. */
class RealtimeSizeLimitsTest {
    static final String KEY = "sk-emulator-sizes";
    static Emulator emulator;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(KEY));
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void anOfferOfTwelveMegabytesIsRefusedBeforeAnyPeerIsMade() throws Exception {
        String offer = hugeOffer(12 * 1024 * 1024);
        String boundary = "switchboard-" + System.nanoTime();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"sdp\"\r\n\r\n" + offer + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"session\"\r\n\r\n{\"type\":\"realtime\"}\r\n"
                + "--" + boundary + "--\r\n";
        assertInvalidSdp(HTTP.send(calls("multipart/form-data; boundary=" + boundary, multipart), HttpResponse.BodyHandlers.ofString()));
        assertInvalidSdp(HTTP.send(calls("application/sdp", offer), HttpResponse.BodyHandlers.ofString()));
        assertThat(emulator.realtimeCalls()).isZero();
    }

    static void assertInvalidSdp(HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        JsonNode error = Json.parse(answer.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_sdp");
        assertThat(error.path("message").asText()).contains("65536");
    }

    static HttpRequest calls(String contentType, String body) {
        // Generous, but far shorter than the minutes a peer spent on such an offer.
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + emulator.port() + "/v1/realtime/calls"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + KEY).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** An offer that looks like one (version, origin, an audio section) padded with candidates to {@code size} chars. */
    static String hugeOffer(int size) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n");
        for (int i = 0; sdp.length() < size; i++) {
            sdp.append("a=candidate:").append(i).append(" 1 udp 2122260223 10.0.").append(i / 250 % 250).append('.')
                    .append(i % 250).append(' ').append(50000 + i % 10000).append(" typ host generation 0\r\n");
        }
        return sdp.toString();
    }
}
