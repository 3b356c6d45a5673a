package dev.switchboard.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.HeadlessChromium;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Realtime session leaves for the people who look after it and use it: a hang-up answered with the ended
 * session.
 */
class RealtimeOperatorViewTest {
    static TestGateway gw;
    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_DEBUG_EVENTS", "true",
                "OPENAI_REALTIME_MODEL", "gpt-realtime-tools", "SWITCHBOARD_REALTIME_MODELS", "gpt-realtime-tools"));
        gw.emulator.script("gpt-realtime-tools", "{\"tool_call\":{\"name\":\"math__calculate\",\"arguments\":{\"expression\":\"6*7\"}}}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aHungUpCallAnswersWithItsEndedSession() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.silentWav(temp, 1))) {
            browser.signIn(gw.url("/realtime"), gw.clientKey);
            browser.driver.manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(40));
            Object result = browser.driver.executeAsyncScript("""
                    const [key, done] = arguments;
                    (async () => {
                      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
                      const pc = new RTCPeerConnection();
                      stream.getTracks().forEach((t) => pc.addTrack(t, stream));
                      const channel = pc.createDataChannel("oai-events");
                      const opened = new Promise((resolve) => { channel.onopen = resolve; });
                      await pc.setLocalDescription(await pc.createOffer());
                      const offered = await fetch("/api/realtime/session", { method: "POST", body: pc.localDescription.sdp,
                        headers: { "Authorization": "Bearer " + key, "Content-Type": "application/sdp" } });
                      if (!offered.ok) { done({ error: await offered.text() }); return; }
                      const callId = offered.headers.get("X-Switchboard-Call-Id");
                      const sessionId = offered.headers.get("X-Switchboard-Session-Id");
                      await pc.setRemoteDescription({ type: "answer", sdp: await offered.text() });
                      await Promise.race([opened, new Promise((_, fail) => setTimeout(() => fail(new Error("no data channel")), 15000))]);
                      const answered = new Promise((resolve) => {
                        channel.onmessage = (e) => { if (JSON.parse(e.data).type === "response.done") resolve(); };
                      });
                      channel.send(JSON.stringify({ type: "session.update", session: { type: "realtime", output_modalities: ["text"] } }));
                      channel.send(JSON.stringify({ type: "conversation.item.create", item: { type: "message", role: "user",
                        content: [{ type: "input_text", text: "hello" }] } }));
                      channel.send(JSON.stringify({ type: "response.create", response: { output_modalities: ["text"] } }));
                      await Promise.race([answered, new Promise((_, fail) => setTimeout(() => fail(new Error("no response.done")), 15000))]);
                      const hungUp = await fetch("/api/realtime/calls/" + callId + "/hangup", { method: "POST",
                        headers: { "Authorization": "Bearer " + key } });
                      const answer = await hungUp.json();
                      pc.close();
                      stream.getTracks().forEach((t) => t.stop());
                      done({ status: hungUp.status, answer, sessionId, callId });
                    })().catch((e) => done({ error: String(e) }));
                    """, gw.clientKey);
            Map<?, ?> call = (Map<?, ?>) result;
            assertThat(call.get("error")).as("the call in the page").isNull();
            assertThat(((Number) call.get("status")).intValue()).isEqualTo(200);
            JsonNode answer = Json.MAPPER.valueToTree(call.get("answer"));
            String sessionId = (String) call.get("sessionId");
            assertThat(answer.path("id").asText()).isEqualTo(sessionId);
            assertThat(answer.path("upstream_id").asText()).isEqualTo(call.get("callId"));
            assertThat(answer.path("status").asText()).isEqualTo("ended");
            assertThat(answer.path("ended_at").asLong()).isPositive();
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
