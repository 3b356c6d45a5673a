package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
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

    @Test
    void aScreenshotItemOfTwoMegabytesIsTakenWholeAndEchoed() throws Exception {
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(noisyPng(2_000_000));
        try (var client = RealtimeWebSocketTest.Client.connectTo("ws://127.0.0.1:" + emulator.port() + "/v1/realtime?model=gpt-realtime", KEY)) {
            client.next("session.created");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":["
                    + "{\"type\":\"input_image\",\"image_url\":\"" + dataUrl + "\"}]}}");
            assertThat(next(client, "conversation.item.added").path("item").path("content").get(0).path("image_url").asText())
                    .isEqualTo(dataUrl);
        }
    }

    @Test
    void anEventOverSixteenMebibytesClosesTheSessionWith1009() throws Exception {
        try (var client = RealtimeWebSocketTest.Client.connectTo("ws://127.0.0.1:" + emulator.port() + "/v1/realtime?model=gpt-realtime", KEY)) {
            client.next("session.created");
            // The server may close before the whole message is written: the send's own outcome does not matter.
            client.socket().sendText("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + "A".repeat(17 * 1024 * 1024) + "\"}", true)
                    .exceptionally(e -> null);
            assertThat(client.collector().ended().get(20, TimeUnit.SECONDS)).isEqualTo("close:1009");
        }
    }

    /** The next event of this type; generous (60 s), as megabytes may pass slowly on a busy machine. */
    static JsonNode next(RealtimeWebSocketTest.Client client, String type) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String text = client.messages().poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (text == null) throw new AssertionError("no " + type + " within 60 s");
            JsonNode event = Json.parse(text);
            if (event.path("type").asText().equals(type)) return event;
        }
    }

    /** A real PNG of at least {@code minBytes}: noisy pixels, which PNG cannot compress. */
    static byte[] noisyPng(int minBytes) throws Exception {
        int side = (int) Math.ceil(Math.sqrt(minBytes / 3.0)) + 16;
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random noise = new Random(15);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) image.setRGB(x, y, noise.nextInt(1 << 24));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        assertThat(out.size()).isGreaterThanOrEqualTo(minBytes);
        return out.toByteArray();
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
