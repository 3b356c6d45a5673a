package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.emulator.realtime.RealtimeCallState;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's WebRTC calls, answered by a real WebRTC peer, with the sideband and the hang-up. */
class RealtimeCallsTest {
    static final String KEY = RealtimeWebSocketTest.KEY;

    @BeforeAll
    static void start() {
        RealtimeWebSocketTest.start();
    }

    @AfterAll
    static void stop() {
        RealtimeWebSocketTest.stop();
    }

    @Test
    void aCallCarriesTheSessionOverItsDataChannelAndItsSideband() throws Exception {
        try (WebRtcClient client = new WebRtcClient()) {
            HttpResponse<String> created = createCall(client.offer(),
                    "{\"type\":\"realtime\",\"model\":\"gpt-realtime\",\"output_modalities\":[\"text\"]}");
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.headers().firstValue("Content-Type").orElse("")).startsWith("application/sdp");
            String location = created.headers().firstValue("Location").orElseThrow();
            assertThat(location).matches("/v1/realtime/calls/rtc_\\w+");
            assertThat(created.body()).startsWith("v=0").contains("a=candidate:");
            String callId = location.substring(location.lastIndexOf('/') + 1);

            client.answer(created.body());
            client.open.get(10, TimeUnit.SECONDS);
            JsonNode first = next(client, null);
            assertThat(first.path("type").asText()).isEqualTo("session.created");
            assertThat(first.path("session").path("output_modalities").get(0).asText()).isEqualTo("text");

            try (var sideband = RealtimeWebSocketTest.Client.connectTo(
                    "ws://127.0.0.1:" + RealtimeWebSocketTest.emulator.port() + "/v1/realtime?call_id=" + callId, KEY)) {
                awaitSidebands(callId, 1);
                client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                        + "\"content\":[{\"type\":\"input_text\",\"text\":\"over the channel\"}]}}");
                client.send("{\"type\":\"response.create\"}");
                JsonNode done = next(client, "response.done");
                assertThat(done.path("response").path("output").get(0).path("content").get(0).path("text").asText())
                        .isEqualTo("Echo: over the channel");
                assertThat(sideband.next("conversation.item.done").path("item").path("role").asText()).isEqualTo("user");
                assertThat(sideband.next("response.done").path("response").path("usage").path("total_tokens").asInt()).isPositive();

                // The sideband controls the same session: its update is seen on the channel too.
                sideband.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"From the side.\"}}");
                assertThat(next(client, "session.updated").path("session").path("instructions").asText()).isEqualTo("From the side.");

                assertThat(RealtimeWebSocketTest.post("/v1/realtime/calls/" + callId + "/hangup", "").statusCode()).isEqualTo(200);
                assertThat(sideband.collector().ended().get(5, TimeUnit.SECONDS)).isEqualTo("close:1000");
                client.closed.get(10, TimeUnit.SECONDS);
                assertThat(RealtimeWebSocketTest.emulator.realtimeCall(callId)).isEmpty();
                assertThat(RealtimeWebSocketTest.post("/v1/realtime/calls/" + callId + "/hangup", "").statusCode()).isEqualTo(404);
            }
        }
    }

    @Test
    void aClientSecretCarriesTheSessionOfARawOffer() throws Exception {
        JsonNode secret = Json.parse(RealtimeWebSocketTest.post("/v1/realtime/client_secrets",
                "{\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\",\"audio\":{\"output\":{\"voice\":\"marin\"}}}}").body());
        try (WebRtcClient client = new WebRtcClient()) {
            HttpResponse<String> created = RealtimeWebSocketTest.HTTP.send(HttpRequest.newBuilder(callsUri())
                    .header("Authorization", "Bearer " + secret.path("value").asText())
                    .header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofString(client.offer())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            client.answer(created.body());
            client.open.get(10, TimeUnit.SECONDS);
            assertThat(next(client, "session.created").path("session").path("audio").path("output").path("voice").asText())
                    .isEqualTo("marin");
        }
    }

    @Test
    void unusableOffersAndUnknownCallsAreRefused() throws Exception {
        assertThat(createCall("hello", "{}").statusCode()).isEqualTo(400);
        assertThat(createCall("v=0\r\n", "{\"type\":\"transcription\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> raw = RealtimeWebSocketTest.HTTP.send(HttpRequest.newBuilder(callsUri())
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString("v=0\r\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(400);
        assertThat(Json.parse(raw.body()).path("error").path("message").asText()).contains("multipart/form-data");
        assertThat(RealtimeWebSocketTest.post("/v1/realtime/calls", "{}").statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> RealtimeWebSocketTest.Client.connectTo(
                "ws://127.0.0.1:" + RealtimeWebSocketTest.emulator.port() + "/v1/realtime?call_id=rtc_unknown", KEY))
                .isInstanceOf(CompletionException.class)
                .hasStackTraceContaining("status code 404");
    }

    static HttpResponse<String> createCall(String sdp, String session) throws Exception {
        String boundary = "switchboard-" + System.nanoTime();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"sdp\"\r\n\r\n" + sdp + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"session\"\r\n\r\n" + session + "\r\n"
                + "--" + boundary + "--\r\n";
        return RealtimeWebSocketTest.HTTP.send(HttpRequest.newBuilder(callsUri())
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI callsUri() {
        return URI.create("http://127.0.0.1:" + RealtimeWebSocketTest.emulator.port() + "/v1/realtime/calls");
    }

    /** The next event of this type (any when null) on the data channel; fails after ten seconds. */
    static JsonNode next(WebRtcClient client, String type) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String text = client.messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (text == null) throw new AssertionError("no " + (type == null ? "event" : type) + " within 10 s");
            JsonNode event = Json.parse(text);
            if (type == null || event.path("type").asText().equals(type)) return event;
        }
    }

    static void awaitSidebands(String callId, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (RealtimeWebSocketTest.emulator.realtimeCall(callId).map(RealtimeCallState::sidebands).orElse(0) < count) {
            if (System.nanoTime() > deadline) throw new AssertionError("the sideband did not attach");
            Thread.sleep(20);
        }
    }
}
