package dev.switchboard.realtime;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.HeadlessChromium;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Realtime session leaves for the people who look after it and use it: its debug events under its
 * {@code rtsess_} id (relayed or seen on a call's sideband), its tools under their own names there and in its tool
 * calls, a line in the access log like any request's, and a hang-up answered with the ended session.
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
    void aRelayedVoiceSessionsEventsAreFoundByItsIdAndItsToolsByTheirOwnNames() throws Exception {
        JsonNode voice = voiceSession();
        String sessionId = voice.path("id").asText();
        talk(voice.path("client_secret").path("value").asText());
        awaitTrue(() -> json(gw.send(gw.get("/api/agent/realtime/session/" + sessionId))).path("status").asText().equals("ended"));

        awaitTrue(() -> debugEvents("session_id=" + sessionId).size() >= 4);
        List<JsonNode> events = debugEvents("session_id=" + sessionId);
        assertThat(events).allSatisfy(event -> {
            assertThat(event.path("kind").asText()).isEqualTo("realtime_event");
            assertThat(event.path("session_id").asText()).isEqualTo(sessionId);
        });
        assertThat(events).extracting(e -> e.path("payload").path("type").asText()).contains("session.created", "response.done");
        // The tool in the recorded events (the definitions the gateway set, the model's call) goes by its own name.
        awaitTrue(() -> debugEvents("session_id=" + sessionId).stream()
                .filter(e -> e.path("payload").path("type").asText().equals("response.done"))
                .anyMatch(e -> e.path("payload").toString().contains("\"name\":\"math.calculate\"")));
        assertThat(debugEvents("session_id=" + sessionId)).extracting(e -> e.path("payload").toString())
                .anyMatch(payload -> payload.contains("\"type\":\"session.update\"") && payload.contains("math.calculate"))
                .noneMatch(payload -> payload.contains("math__calculate"));

        // The tool the model called in the session, under its own name.
        awaitTrue(() -> toolCallOf(sessionId) != null);
        JsonNode toolCall = toolCallOf(sessionId);
        assertThat(toolCall.path("endpoint").asText()).isEqualTo("tool:math.calculate");
        assertThat(toolCall.path("payload").path("tool").asText()).isEqualTo("math.calculate");
    }

    @Test
    void aWebSocketSessionIsOneLineOfTheAccessLogLikeAnyRequest() throws Exception {
        JsonNode voice = voiceSession();
        String token = voice.path("client_secret").path("value").asText();
        String log = accessLogDuring(() -> {
            talk(token);
            assertThat(RealtimeRelayTest.handshakeStatus(gw, "gpt-realtime-tools", List.of(), List.of())).isEqualTo(401);
        }, 2);
        String keyId = keyIdOf(gw.clientKey);

        // Its request id, the path without the query, 101, how long the session lasted, the key, how it closed; then
        // the refused upgrade, as a refused request.
        List<String> lines = log.lines().filter(line -> line.contains(" /v1/realtime ")).toList();
        assertThat(lines).as(log).hasSize(2);
        assertThat(lines.getFirst()).matches(".* sbreq_[0-9a-f]{24} GET /v1/realtime 101 \\d+ms key=" + keyId + " closed 1000")
                .doesNotContain(token);
        assertThat(lines.get(1)).matches(".* sbreq_[0-9a-f]{24} GET /v1/realtime 401 \\d+ms key=-");
        // The request id is the one the session is recorded under.
        String requestId = lines.getFirst().replaceFirst(".* (sbreq_[0-9a-f]{24}) .*", "$1");
        awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select count(*) from request_log where request_id = :id and endpoint = '/v1/realtime' and key_id = :key")
                .bind("id", requestId).bind("key", keyId).mapTo(Long.class).one()) == 1);
    }

    @Test
    void aHungUpCallAnswersWithItsEndedSessionAndItsSidebandEventsNameIt() throws Exception {
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

            // What the sideband saw is found by the session's id.
            awaitTrue(() -> debugEvents("session_id=" + sessionId).stream()
                    .anyMatch(e -> e.path("payload").path("type").asText().equals("response.done")));
        }
    }

    /** A voice session of an agent that may use the calculator. */
    private static JsonNode voiceSession() {
        String agent = json(gw.send(gw.post("/api/agent/sessions",
                "{\"model\":\"gpt-4o-mini\",\"tools\":[\"math.calculate\"]}"))).path("id").asText();
        return json(gw.send(gw.post("/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}")));
    }

    /** One turn over the relay: the model calls the calculator, the gateway answers for it, the model answers. */
    private static void talk(String token) throws Exception {
        try (RealtimeRelayTest.Client client = RealtimeRelayTest.Client.connect(gw, "gpt-realtime-tools",
                List.of("Authorization", "Bearer " + token), List.of())) {
            client.next("session.updated");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"six times seven\"}]}}");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
            client.next("response.done");
            assertThat(client.next("conversation.item.done").path("item").path("output").asText()).isEqualTo("42");
            client.next("response.done");
            client.close();
            assertThat(client.closed.join()).isEqualTo(1000);
        }
    }

    private static JsonNode toolCallOf(String sessionId) {
        return debugEvents("kind=tool_call").stream().filter(e -> e.path("payload").path("agent_run_id").asText().equals(sessionId))
                .findFirst().orElse(null);
    }

    private static String keyIdOf(String secret) {
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select id from api_keys where key_hash = sha256(convert_to(:key, 'UTF8'))")
                .bind("key", secret).mapTo(String.class).one());
    }

    /** The access log's lines while {@code body} ran, waiting for {@code realtimeLines} lines about /v1/realtime. */
    private static String accessLogDuring(ThrowingRunnable body, int realtimeLines) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            body.run();
            // A session's line is written when the gateway has closed it, just after the client saw the close.
            awaitTrue(() -> accessLines(captured).lines().filter(line -> line.contains(" /v1/realtime ")).count() >= realtimeLines);
        } finally {
            System.setErr(original);
        }
        return accessLines(captured);
    }

    private static String accessLines(ByteArrayOutputStream captured) {
        return captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(" access - "))
                .reduce("", (a, b) -> a + b + "\n");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }

    private static List<JsonNode> debugEvents(String query) {
        JsonNode page = json(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/debug-events?limit=200&" + query)))
                .header("Authorization", "Bearer " + gw.adminKey).GET()));
        return page.path("data").valueStream().toList();
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
