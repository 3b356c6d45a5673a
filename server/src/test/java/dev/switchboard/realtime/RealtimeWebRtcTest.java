package dev.switchboard.realtime;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.HeadlessChromium;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * WebRTC calls brokered by the gateway, made from its Realtime console in headless Chromium with a fake microphone: the
 * offer goes through {@code POST /api/realtime/session} to the emulator's real WebRTC peer, events flow over the
 * data channel, and the gateway's sideband writes the transcript to the database and ends calls that run too long.
 */
class RealtimeWebRtcTest {
    static final String ICE = "[{\"urls\":[\"stun:stun.invalid:3478\"]}]";
    static TestGateway gw;
    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "OPENAI_REALTIME_VOICE", "verse",
                "OPENAI_TRANSCRIPTION_MODEL", "gpt-4o-mini-transcribe", "OPENAI_REALTIME_TURN_SERVERS", ICE,
                "SWITCHBOARD_REALTIME_MODELS", "gpt-realtime,gpt-realtime;fail=429", "SWITCHBOARD_DEBUG_EVENTS", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aBrowserCallGoesThroughTheGatewayAndTheSidebandKeepsItsTranscript() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 2))) {
            browser.signIn(gw.url("/realtime"), gw.clientKey);
            browser.click("connect");
            browser.await("a connected call", Duration.ofSeconds(20), () -> browser.text("state").equals("connected"));
            browser.click("mic-start");
            browser.await("session.created", Duration.ofSeconds(5),
                    () -> browser.driver.findElements(By.cssSelector("#events [data-type='session.created']")).size() == 1);

            String sessionId = browser.driver.findElement(By.tagName("body")).getDomAttribute("data-session-id");
            JsonNode row = json(gw.send(gw.get("/api/realtime/session/" + sessionId)));
            assertThat(row.path("kind").asText()).isEqualTo("webrtc");
            assertThat(row.path("status").asText()).isEqualTo("active");
            assertThat(row.path("voice").asText()).isEqualTo("verse");
            String callId = row.path("upstream_id").asText();
            assertThat(callId).startsWith("rtc_");

            browser.type("message", "hello over webrtc");
            browser.click("send");
            browser.await("the model's reply", Duration.ofSeconds(10), () -> browser.driver
                    .findElements(By.cssSelector("#transcript [data-role='assistant']")).stream()
                    .anyMatch(reply -> reply.getText().equals("Echo: hello over webrtc")));

            // The microphone's audio reached OpenAI's side of the call.
            awaitTrue(() -> gw.emulator.realtimeCall(callId).map(c -> c.audioMillisReceived() > 500).orElse(false));
            assertThat(gw.emulator.realtimeCall(callId).orElseThrow().sidebands()).isEqualTo(1);

            browser.click("hangup");
            browser.await("the end of the call", Duration.ofSeconds(10), () -> browser.text("state").equals("closed: you hung up"));
            JsonNode ended = awaitEnded(sessionId);
            assertThat(ended.path("transcript")).hasSize(2);
            assertThat(ended.path("transcript").get(0).path("role").asText()).isEqualTo("user");
            assertThat(ended.path("transcript").get(0).path("text").asText()).isEqualTo("hello over webrtc");
            assertThat(ended.path("transcript").get(1).path("role").asText()).isEqualTo("assistant");
            assertThat(ended.path("transcript").get(1).path("text").asText()).isEqualTo("Echo: hello over webrtc");
            assertThat(ended.path("usage").path("total_tokens").asLong()).isPositive();
            awaitTrue(() -> gw.emulator.realtimeCall(callId).isEmpty());
        }

        // The session the gateway asked for: its voice, input transcription, and the model, sent beside the offer.
        var call = gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/realtime/calls")).reduce((a, b) -> b).orElseThrow();
        assertThat(call.header("Content-Type")).startsWith("multipart/form-data; boundary=");
        assertThat(call.body()).contains("name=\"sdp\"").contains("\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"}")
                .contains("\"voice\":\"verse\"").contains("\"model\":\"gpt-realtime\"");
        assertThat(requestLog(gw, "/v1/realtime/calls", "completed")).isEqualTo(1);
        assertThat(requestLog(gw, "/v1/realtime?call_id", "completed")).isEqualTo(1);
        // What the sideband saw is in the debug log, as the relay's events are.
        String sidebandRequest = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select request_id from request_log where endpoint = '/v1/realtime?call_id' and model = 'gpt-realtime' "
                                + "and key_id = (select id from api_keys where key_hash = sha256(convert_to(:key, 'UTF8')))")
                .bind("key", gw.clientKey).mapTo(String.class).one());
        awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select count(*) from openai_debug_events where request_id like :id and kind = 'realtime_event' "
                                + "and endpoint like '%response.done'")
                .bind("id", sidebandRequest + ":%").mapTo(Long.class).one()) == 1);
    }

    @Test
    void anAgentsVoiceCallIsRestartedWithItsTranscriptCarriedOver() throws Exception {
        String agent = json(gw.send(gw.post("/api/agent/sessions",
                "{\"name\":\"concierge\",\"model\":\"gpt-4o-mini\",\"instructions\":\"Answer as a hotel concierge.\"}"))).path("id").asText();
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 1))) {
            browser.signIn(gw.url("/realtime"), gw.clientKey);
            browser.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(40));

            Map<?, ?> first = browserCall(browser, "/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}", "where is breakfast");
            assertThat(first.get("reply")).isEqualTo("Echo: where is breakfast");
            JsonNode firstSession = Json.MAPPER.valueToTree(first.get("session"));
            assertThat(firstSession.path("kind").asText()).isEqualTo("webrtc");
            assertThat(firstSession.path("agent_session_id").asText()).isEqualTo(agent);
            assertThat(firstSession.path("upstream_id").asText()).startsWith("rtc_");
            assertThat(firstSession.path("answer").path("sdp").asText()).startsWith("v=0");
            assertThat(firstSession.path("ice_servers")).isEqualTo(Json.MAPPER.readTree(ICE));
            var offerToOpenAi = gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/realtime/calls"))
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(offerToOpenAi.body()).contains("\"instructions\":\"Answer as a hotel concierge.\"");
            String firstId = firstSession.path("id").asText();
            // The browser closed its peer connection: the call ends, and the sideband writes the end down.
            assertThat(awaitEnded(firstId).path("transcript")).hasSize(2);

            Map<?, ?> second = browserCall(browser, "/api/agent/realtime/session/" + firstId + "/restart", "{}", "and dinner");
            assertThat(second.get("reply")).isEqualTo("Echo: and dinner");
            assertThat((java.util.List<?>) second.get("events")).filteredOn("conversation.item.done"::equals).hasSize(4);
            String secondId = Json.MAPPER.valueToTree(second.get("session")).path("id").asText();
            JsonNode secondRow = awaitEnded(secondId);
            assertThat(secondRow.path("transcript").findValuesAsText("text"))
                    .containsExactly("where is breakfast", "Echo: where is breakfast", "and dinner", "Echo: and dinner");

            var rows = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                            "select id, previous_session_id, agent_session_id, upstream_id, ended_at is not null as ended "
                                    + "from chatkit_sessions where id in (<ids>) order by created_at")
                    .bindList("ids", java.util.List.of(firstId, secondId)).mapToMap().list());
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).get("previous_session_id")).isNull();
            assertThat(rows.get(1).get("previous_session_id")).isEqualTo(firstId);
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.get("agent_session_id")).isEqualTo(agent);
                assertThat((String) row.get("upstream_id")).startsWith("rtc_");
                assertThat(row.get("ended")).isEqualTo(true);
            });
        }
    }

    /**
     * A call made by script in the page, as an app would make it: microphone, {@code oai-events} channel, the offer
     * POSTed as JSON {@code sdp} with {@code payload}, one text turn, then the peer connection closed.
     */
    private static Map<?, ?> browserCall(HeadlessChromium browser, String path, String payload, String text) {
        Object result = browser.driver.executeAsyncScript("""
                const [key, path, payload, text, done] = arguments;
                (async () => {
                  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
                  const pc = new RTCPeerConnection();
                  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
                  const channel = pc.createDataChannel("oai-events");
                  const events = [];
                  let reply = "";
                  const finished = new Promise((resolve) => {
                    channel.onmessage = (e) => {
                      const event = JSON.parse(e.data);
                      events.push(event.type);
                      if (event.type === "response.output_text.delta") reply += event.delta;
                      if (event.type === "response.done") resolve();
                    };
                  });
                  channel.onopen = () => {
                    channel.send(JSON.stringify({ type: "conversation.item.create", item: { type: "message", role: "user",
                      content: [{ type: "input_text", text }] } }));
                    channel.send(JSON.stringify({ type: "response.create", response: { output_modalities: ["text"] } }));
                  };
                  await pc.setLocalDescription(await pc.createOffer());
                  const body = Object.assign(JSON.parse(payload), { sdp: pc.localDescription.sdp });
                  const response = await fetch(path, { method: "POST", body: JSON.stringify(body),
                    headers: { "Authorization": "Bearer " + key, "Content-Type": "application/json" } });
                  const session = await response.json();
                  if (!response.ok) { done({ error: session }); return; }
                  await pc.setRemoteDescription(session.answer);
                  await Promise.race([finished, new Promise((_, fail) => setTimeout(() => fail(new Error("no response.done")), 15000))]);
                  pc.close();
                  stream.getTracks().forEach((t) => t.stop());
                  done({ session, reply, events });
                })().catch((e) => done({ error: String(e) }));
                """, gw.clientKey, path, payload, text);
        assertThat(result).isInstanceOf(Map.class);
        Map<?, ?> call = (Map<?, ?>) result;
        assertThat(call.get("error")).as("the call in the page").isNull();
        return call;
    }

    @Test
    void theMaximumSessionLengthHangsTheCallUp(@TempDir Path profile) throws Exception {
        try (TestGateway own = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_REALTIME_MAX_SESSION", "2s"));
             HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(profile, 1))) {
            browser.signIn(own.url("/realtime"), own.clientKey);
            browser.click("connect");
            browser.await("a connected call", Duration.ofSeconds(20), () -> browser.text("state").equals("connected"));
            browser.await("the gateway ending the call", Duration.ofSeconds(20), () -> browser.text("state").equals("closed: the call ended"));
            awaitTrue(() -> requestLog(own, "/v1/realtime?call_id", "max_session_length") == 1);
            awaitTrue(() -> own.emulator.realtimeCalls() == 0);
        }
    }

    @Test
    void badOffersAndRefusedCallsGetOpenAiShapedErrors() throws Exception {
        HttpResponse<String> notSdp = gw.send(offer("hello, this is not SDP", ""));
        assertThat(notSdp.statusCode()).isEqualTo(400);
        assertThat(json(notSdp).path("error").path("code").asText()).isEqualTo("invalid_sdp");

        String sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        HttpResponse<String> refused = gw.send(offer(sdp, "?model=gpt-realtime;fail=429"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).path("error").path("message").asText()).startsWith("OpenAI refused the call: Rate limit");
        assertThat(gw.send(offer(sdp, "?model=gpt-4o")).statusCode()).isEqualTo(400);

        JsonNode config = json(gw.send(gw.get("/api/realtime/session")));
        assertThat(config.path("ice_servers")).isEqualTo(Json.MAPPER.readTree(ICE));
        assertThat(config.path("model").asText()).isEqualTo("gpt-realtime");

        HttpResponse<String> unknown = gw.send(gw.post("/api/realtime/calls/rtc_unknown/hangup", "{}"));
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    private static HttpRequest.Builder offer(String sdp, String query) {
        return HttpRequest.newBuilder(URI.create(gw.url("/api/realtime/session" + query)))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(sdp));
    }

    /** Requests of this gateway's client key to {@code endpoint} that ended with {@code outcome}. */
    private static long requestLog(TestGateway gateway, String endpoint, String outcome) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery("""
                        select count(*) from request_log where endpoint = :e and outcome = :o
                        and key_id = (select id from api_keys where key_hash = sha256(convert_to(:key, 'UTF8')))""")
                .bind("e", endpoint).bind("o", outcome).bind("key", gateway.clientKey).mapTo(Long.class).one());
    }

    private static JsonNode awaitEnded(String id) throws Exception {
        awaitTrue(() -> {
            JsonNode row = json(gw.send(gw.get("/api/realtime/session/" + id)));
            return row.path("status").asText().equals("ended") && !row.path("usage").isNull();
        });
        return json(gw.send(gw.get("/api/realtime/session/" + id)));
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
