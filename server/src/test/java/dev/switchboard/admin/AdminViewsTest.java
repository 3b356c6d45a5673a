package dev.switchboard.admin;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the admin page reads (agents, realtime sessions, the debug log, a page at a time), and stopping a run. */
class AdminViewsTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "SWITCHBOARD_DEBUG_EVENTS", "true",
                "OPENAI_CHATKIT_WORKFLOW_ID", "wf_admin"));
        gw.emulator.script("agent-slow-admin", "{\"tokens\":200,\"delay_ms\":50}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void anOwnerStopsARunningAgentRun() throws Exception {
        String session = createSession("agent-slow-admin");
        HttpResponse<InputStream> stream = gw.open(gw.post("/api/agent/stream", "{\"session_id\":\"" + session + "\",\"input\":\"go on\"}"));
        String runId = stream.headers().firstValue("X-Switchboard-Agent-Run-Id").orElseThrow();
        SseReader reader = new SseReader(stream.body());
        List<String> events = new ArrayList<>();
        SseFrame frame = reader.next();
        events.add(frame.event());

        String otherOwner = gw.gateway.keys().create("someone-else", "another-team", false).secret();
        assertThat(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/agent/runs/" + runId + "/cancel")))
                .header("Authorization", "Bearer " + otherOwner).POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(404);
        HttpResponse<String> cancelled = gw.send(gw.post("/api/agent/runs/" + runId + "/cancel", "{}"));
        assertThat(cancelled.statusCode()).isEqualTo(200);
        while ((frame = reader.next()) != null) events.add(frame.event());
        assertThat(events).endsWith("run-cancelled", "done");
        assertThat(events.stream().filter("text-delta"::equals).count()).isLessThan(200);
        JsonNode runs = json(gw.send(admin("/api/admin/agent-sessions/" + session + "/runs")));
        assertThat(runs.path("data").get(0).path("status").asText()).isEqualTo("cancelled");
        assertThat(gw.send(gw.post("/api/agent/runs/" + runId + "/cancel", "{}")).statusCode()).isEqualTo(404);
    }

    @Test
    void agentSessionsOfEveryOwnerPageNewestFirst() throws Exception {
        String older = createSession("gpt-4o-mini");
        String newer = createSession("gpt-4o-mini");
        JsonNode first = json(gw.send(admin("/api/admin/agent-sessions?limit=1")));
        assertThat(first.path("data").get(0).path("id").asText()).isEqualTo(newer);
        assertThat(first.path("data").get(0).path("owner").asText()).isNotBlank();
        assertThat(first.path("has_more").asBoolean()).isTrue();
        JsonNode second = json(gw.send(admin("/api/admin/agent-sessions?limit=1&before=" + first.path("next_before").asText())));
        assertThat(second.path("data").get(0).path("id").asText()).isEqualTo(older);
        assertThat(gw.send(gw.get("/api/admin/agent-sessions")).statusCode()).isEqualTo(403);

        JsonNode capabilities = json(gw.send(gw.get("/api/agent/capabilities")));
        assertThat(capabilities.path("streaming_enabled").asBoolean()).isTrue();
        assertThat(capabilities.path("tools").findValuesAsText("name")).contains("math.calculate", "clock.now");
    }

    @Test
    void realtimeSessionsAndTheDebugLogAreListedWithFilters() throws Exception {
        JsonNode chatKit = json(gw.send(gw.post("/api/chatkit/session", "{}")));
        JsonNode sessions = json(gw.send(admin("/api/admin/realtime-sessions?kind=chatkit&limit=5")));
        assertThat(sessions.path("data").get(0).path("id").asText()).isEqualTo(chatKit.path("id").asText());
        assertThat(sessions.path("data").findValuesAsText("kind")).containsOnly("chatkit");

        HttpResponse<String> models = gw.send(gw.get("/v1/models"));
        String requestId = models.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
        awaitTrue(() -> json(gw.send(admin("/api/admin/debug-events?request_id=" + requestId))).path("data").size() == 1);
        JsonNode events = json(gw.send(admin("/api/admin/debug-events?request_id=" + requestId + "&kind=upstream_request")));
        assertThat(events.path("data").get(0).path("endpoint").asText()).isEqualTo("/v1/models");
        assertThat(json(gw.send(admin("/api/admin/debug-events?kind=no_such_kind"))).path("data")).isEmpty();
        // A request id is a prefix filter, and the LIKE wildcards in it are taken literally.
        assertThat(json(gw.send(admin("/api/admin/debug-events?request_id=%25"))).path("data")).isEmpty();
    }

    private static String createSession(String model) throws Exception {
        return json(gw.send(gw.post("/api/agent/sessions", "{\"name\":\"admin-view\",\"model\":\"" + model + "\"}"))).path("id").asText();
    }

    private static HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey);
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError(response.body(), e);
        }
    }
}
