package dev.switchboard.agent;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an agent client sees named: the agent session, under either name the routes have used ({@code session_id},
 * seed 003's {@code agentSessionId}).
 */
class AgentNamesTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_DEBUG_EVENTS", "true"));
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
