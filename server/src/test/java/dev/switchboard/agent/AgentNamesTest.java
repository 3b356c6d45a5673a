package dev.switchboard.agent;

import static dev.switchboard.ErrorAssertions.assertError;
import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.web.Json;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an agent client sees named: the agent session, under either name the routes have used ({@code session_id},
 * seed 003's {@code agentSessionId}), and each tool, by its own name ({@code math.calculate}) wherever it is shown or
 * recorded, never the wire name OpenAI is given ({@code math__calculate}).
 */
class AgentNamesTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_DEBUG_EVENTS", "true"));
        gw.emulator.script("agent-calc", """
                {"tool_calls":[{"name":"math__calculate","arguments":{"expression":"6*7"}}],"text":"42"}""");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void everyAgentRouteTakesTheAgentSessionUnderEitherName() throws Exception {
        String session = session("gpt-4o-mini");
        for (String body : List.of("{\"agentSessionId\":\"" + session + "\",\"input\":\"hi\"}",
                "{\"session_id\":\"" + session + "\",\"input\":\"hi\"}",
                "{\"session_id\":\"" + session + "\",\"agentSessionId\":\"" + session + "\",\"input\":\"hi\"}")) {
            HttpResponse<String> streamed = gw.send(gw.post("/api/agent/stream", body));
            assertThat(streamed.statusCode()).as(body + " -> " + streamed.body()).isEqualTo(200);
            assertThat(SseFrames.parse(streamed.body()).getLast().event()).isEqualTo("done");

            HttpResponse<String> voice = gw.send(gw.post("/api/agent/realtime/session", body));
            assertThat(voice.statusCode()).as(body + " -> " + voice.body()).isEqualTo(201);
            assertThat(Json.MAPPER.readTree(voice.body()).path("agent_session_id").asText()).isEqualTo(session);
        }

        String other = session("gpt-4o-mini");
        String both = "{\"session_id\":\"" + session + "\",\"agentSessionId\":\"" + other + "\",\"input\":\"hi\"}";
        for (String route : List.of("/api/agent/stream", "/api/agent/realtime/session")) {
            JsonNode differing = assertError(gw.send(gw.post(route, both)), 400, "invalid_value");
            assertThat(differing.path("message").asText()).contains(session, other);

            JsonNode missing = assertError(gw.send(gw.post(route, "{\"input\":\"hi\"}")), 400, "missing_required_parameter");
            assertThat(missing.path("param").asText()).isEqualTo("session_id");
            assertThat(missing.path("message").asText()).contains("'session_id'", "'agentSessionId'");

            assertError(gw.send(gw.post(route, "{\"agentSessionId\":42,\"input\":\"hi\"}")), 400, "invalid_value");
            JsonNode unknown = assertError(gw.send(gw.post(route, "{\"agentSessionId\":\"asess_nope\",\"input\":\"hi\"}")),
                    404, "not_found");
            assertThat(unknown.path("message").asText()).isEqualTo("No agent session found with id 'asess_nope'.");
            // Either name is an identifier: a line break in it is refused, as in session_id.
            JsonNode crlf = assertError(gw.send(gw.post(route, "{\"agentSessionId\":\"a\\r\\nb\",\"input\":\"hi\"}")),
                    400, "invalid_value");
            assertThat(crlf.path("param").asText()).isEqualTo("agentSessionId");
        }
    }

    @Test
    void toolsAreShownAndRecordedByTheirOwnNames() throws Exception {
        String session = session("agent-calc", "math.calculate");
        HttpResponse<String> response = gw.send(gw.post("/api/agent/stream", "{\"session_id\":\"" + session + "\",\"input\":\"6*7?\"}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<SseFrame> frames = SseFrames.parse(response.body());
        assertThat(frames).filteredOn(f -> List.of("tool-call", "tool-result").contains(f.event()))
                .extracting(f -> SseFrames.json(f).path("name").asText()).containsExactly("math.calculate", "math.calculate");
        String runId = response.headers().firstValue("X-Switchboard-Agent-Run-Id").orElseThrow();

        // The run as its owner and the admin page read it.
        JsonNode run = Json.MAPPER.readTree(gw.send(gw.get("/api/agent/sessions/" + session + "/runs")).body()).path("data").get(0);
        assertThat(run.path("id").asText()).isEqualTo(runId);
        assertThat(run.path("tool_calls").findValuesAsText("name")).containsExactly("math.calculate");
        JsonNode adminRuns = Json.MAPPER.readTree(gw.send(gw.get("/api/admin/agent-sessions/" + session + "/runs")
                .setHeader("Authorization", "Bearer " + gw.adminKey)).body());
        assertThat(adminRuns.findValuesAsText("name")).contains("math.calculate").doesNotContain("math__calculate");

        // The debug log's tool call, as the admin API shows it.
        awaitTrue(() -> debugToolCalls(runId).size() == 1);
        JsonNode logged = debugToolCalls(runId).getFirst();
        assertThat(logged.path("endpoint").asText()).isEqualTo("tool:math.calculate");
        assertThat(logged.path("payload").path("tool").asText()).isEqualTo("math.calculate");
    }

    private static List<JsonNode> debugToolCalls(String runId) {
        try {
            JsonNode page = Json.MAPPER.readTree(gw.send(gw.get("/api/admin/debug-events?kind=tool_call&limit=200")
                    .setHeader("Authorization", "Bearer " + gw.adminKey)).body());
            return page.path("data").valueStream().filter(e -> e.path("payload").path("agent_run_id").asText().equals(runId)).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String session(String model, String... tools) throws Exception {
        var request = Json.object().put("model", model);
        var array = request.putArray("tools");
        for (String tool : tools) array.add(tool);
        HttpResponse<String> created = gw.send(gw.post("/api/agent/sessions", Json.write(request)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Json.MAPPER.readTree(created.body()).path("id").asText();
    }
}
