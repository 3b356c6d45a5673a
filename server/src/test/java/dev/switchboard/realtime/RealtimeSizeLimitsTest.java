package dev.switchboard.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 15: what the Realtime routes carry and refuse by size, through the gateway to the emulator as OpenAI. */
class RealtimeSizeLimitsTest {
    static TestGateway gw;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void anOfferOfTwelveMegabytesIsRefusedBeforeAnyCallIsMade() throws Exception {
        String offer = hugeOffer(12 * 1024 * 1024);
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(gw.url("/api/realtime/session")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + gw.clientKey)
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer)).build(),
                HttpResponse.BodyHandlers.ofString());
        dev.switchboard.ErrorAssertions.assertError(answer, 400, "invalid_sdp");
        assertThat(Json.MAPPER.readTree(answer.body()).path("error").path("message").asText()).contains("65536");
        // An agent's voice session takes its offer in a JSON body: the same check.
        assertThatThrownBy(() -> SdpOffer.check(offer, "sdp")).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_sdp"));
        assertThat(gw.emulator.requests()).noneMatch(r -> r.path().startsWith("/v1/realtime/calls"));
        assertThat(gw.emulator.realtimeCalls()).isZero();
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
