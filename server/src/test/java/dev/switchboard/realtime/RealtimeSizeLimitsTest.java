package dev.switchboard.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.stream.CancellationTest;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

    @Test
    void aScreenshotOfTwoMegabytesCrossesTheRelayBothWaysWhole() throws Exception {
        byte[] png = Screenshots.png(2_000_000);
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        try (var client = RealtimeRelayTest.Client.connect(gw, "gpt-realtime", List.of("Authorization", "Bearer " + gw.clientKey), List.of())) {
            client.next("session.created");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":["
                    + "{\"type\":\"input_text\",\"text\":\"What do you see in this screenshot?\"},"
                    + "{\"type\":\"input_image\",\"image_url\":\"" + dataUrl + "\"}]}}");
            // OpenAI (here the emulator) received the whole item, and its echo, over 2 MB, reached the client whole.
            // Generous: megabytes pass four sockets on a machine that may be busy.
            JsonNode added = client.next("conversation.item.added", 60);
            assertThat(added.path("item").path("content").get(1).path("image_url").asText()).isEqualTo(dataUrl);
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
            assertThat(client.next("response.done", 60).path("response").path("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void eventsOverTheLimitEndTheSessionWithACloseThatSaysSo() throws Exception {
        String longReply = "gpt-realtime-long";
        try (TestGateway small = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_REALTIME_MODELS", "gpt-realtime," + longReply,
                "SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES", String.valueOf(1024 * 1024)))) {
            // From the client: an event of 1.5 MB.
            try (var client = RealtimeRelayTest.Client.connect(small, "gpt-realtime", List.of("Authorization", "Bearer " + small.clientKey), List.of())) {
                client.next("session.created");
                // The gateway may close before the whole message is written: the send's own outcome does not matter.
                client.socket.sendText("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + "A".repeat(1_500_000) + "\"}", true)
                        .exceptionally(e -> null);
                assertThat(client.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1009);
                // Jetty's own reason, sent before any handler runs: "Text message too large: 1,052,152 > 1,048,576".
                assertThat(client.closeReason.join()).containsIgnoringCase("too large").contains("1,048,576");
                CancellationTest.awaitTrue(() -> small.emulator.realtimeSessions() == 0);
            }
            // From OpenAI: a reply of 1.5 MB in one event.
            small.emulator.script(longReply, "{\"text\":\"" + "x".repeat(1_500_000) + "\"}");
            try (var client = RealtimeRelayTest.Client.connect(small, longReply, List.of("Authorization", "Bearer " + small.clientKey), List.of())) {
                client.next("session.created");
                client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                        + "\"content\":[{\"type\":\"input_text\",\"text\":\"say a lot\"}]}}");
                client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
                assertThat(client.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1009);
                assertThat(client.closeReason.join()).contains("1048576").contains("SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES");
                CancellationTest.awaitTrue(() -> small.emulator.realtimeSessions() == 0);
            }
            // Both sessions are recorded as ended by an event over the limit, with the reason.
            CancellationTest.awaitTrue(() -> outcomes(small, "message_too_large") == 2);

            // A chat call's own Realtime socket has the same limit: the oversized reply is refused, and said to be,
            // before any text went out, so the call is answered over REST instead.
            HttpResponse<String> chat = small.send(small.post("/api/chat",
                    "{\"stream\":true,\"model\":\"" + longReply + "\",\"messages\":[{\"role\":\"user\",\"content\":\"say a lot\"}]}"));
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
            JsonNode started = SseFrames.json(SseFrames.parse(chat.body()).stream()
                    .filter(f -> "chat-started".equals(f.event())).findFirst().orElseThrow());
            assertThat(started.path("mode").asText()).isEqualTo("rest");
            assertThat(started.path("fallback").path("reason").asText()).contains("limit of 1048576 bytes");
            CancellationTest.awaitTrue(() -> small.emulator.realtimeSessions() == 0);
        }
    }

    @Test
    void theLimitIsSixteenMebibytesByDefaultAndCheckedAtStartUp() {
        assertThat(SettingsLoader.load(Map.of(), Optional.empty()).server().maxWebSocketMessageBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(SettingsLoader.load(Map.of("SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES", "33554432"), Optional.empty())
                .server().maxWebSocketMessageBytes()).isEqualTo(32L * 1024 * 1024);
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES", "1000"), Optional.empty()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES=1000");
    }

    static long outcomes(TestGateway gateway, String outcome) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from request_log where endpoint = '/v1/realtime' and outcome = ? and error like '%limit of 1048576 bytes%'")
                .bind(0, outcome).mapTo(Long.class).one());
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
