package dev.switchboard.agent;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.emulator.RecordedRequest;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentStreamingTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "SWITCHBOARD_AGENT_TOOL_TIMEOUT", "300ms",
                "SWITCHBOARD_DEBUG_EVENTS", "true"));
        gw.gateway.agentTools().register(new TestTool("test.explode", args -> {
            throw new IllegalStateException("boom");
        }));
        gw.gateway.agentTools().register(new TestTool("test.sleepy", args -> {
            Thread.sleep(5_000);
            return "too late";
        }));
        gw.emulator.script("agent-two-tools", """
                {"tool_calls":[{"name":"math__calculate","arguments":{"expression":"2+3"}},
                               {"name":"math__calculate","arguments":{"expression":"5*4"}}],"text":"Done: 20"}""");
        gw.emulator.script("agent-explode", "{\"tool_calls\":[{\"name\":\"test__explode\",\"arguments\":{}}]}");
        gw.emulator.script("agent-sleepy", "{\"tool_calls\":[{\"name\":\"test__sleepy\",\"arguments\":{}}]}");
        gw.emulator.script("agent-slow", "{\"tokens\":30,\"delay_ms\":30}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void twoToolRoundsAreResolvedInStreamAndTheRunIsRecorded() throws Exception {
        String session = session("agent-two-tools", "math.calculate");
        HttpResponse<String> response = stream(session, "What is (2+3)*4?", false);
        List<SseFrame> frames = SseFrames.parse(response.body());
        List<String> events = frames.stream().map(SseFrame::event).toList();
        assertThat(events.stream().filter(e -> !e.equals("text-delta")).toList())
                .containsExactly("tool-call", "tool-result", "tool-call", "tool-result", "run-completed", "done");
        assertThat(frames).filteredOn(f -> "tool-result".equals(f.event())).extracting(f -> SseFrames.json(f).path("output").asText())
                .containsExactly("5", "20");
        assertThat(text(frames)).isEqualTo("Done: 20");

        String runId = response.headers().firstValue("X-Switchboard-Agent-Run-Id").orElseThrow();
        JsonNode run = runOf(session, runId);
        assertThat(run.path("status").asText()).isEqualTo("completed");
        assertThat(run.path("output_text").asText()).isEqualTo("Done: 20");
        assertThat(run.path("tool_calls")).hasSize(2);
        assertThat(run.path("upstream_response_ids")).hasSize(3);
        assertThat(run.path("usage").path("output_tokens").asLong()).isPositive();

        // With debug events on, each tool call is in the debug log, with the run it belongs to.
        long deadline = System.nanoTime() + 10_000_000_000L;
        long logged;
        do {
            Thread.sleep(50);
            logged = gw.gateway.database().jdbi().withHandle(h -> h.createQuery("select count(*) from openai_debug_events "
                    + "where kind = 'tool_call' and payload->>'agent_run_id' = :run").bind("run", runId).mapTo(Long.class).one());
        } while (logged < 2 && System.nanoTime() < deadline);
        assertThat(logged).isEqualTo(2);
        // And each of its three upstream requests, under the stream request's own id.
        String requestId = response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
        long upstream = gw.gateway.database().jdbi().withHandle(h -> h.createQuery("select count(*) from openai_debug_events "
                + "where kind = 'upstream_request' and request_id like :prefix").bind("prefix", requestId + "-r%").mapTo(Long.class).one());
        assertThat(upstream).isEqualTo(3);
    }

    @Test
    void aToolThatThrowsBecomesAnErrorTheModelSees() throws Exception {
        String session = session("agent-explode", "test.explode");
        List<SseFrame> frames = SseFrames.parse(stream(session, "go", false).body());
        JsonNode result = SseFrames.json(frames.stream().filter(f -> "tool-result".equals(f.event())).findFirst().orElseThrow());
        assertThat(result.path("error").asText()).isEqualTo("boom");
        assertThat(text(frames)).isEqualTo("The tool returned: Error: the tool failed: boom");
        assertThat(frames.get(frames.size() - 2).event()).isEqualTo("run-completed");
    }

    @Test
    void aToolThatTimesOutBecomesAnErrorTheModelSees() throws Exception {
        String session = session("agent-sleepy", "test.sleepy");
        List<SseFrame> frames = SseFrames.parse(stream(session, "go", false).body());
        JsonNode result = SseFrames.json(frames.stream().filter(f -> "tool-result".equals(f.event())).findFirst().orElseThrow());
        assertThat(result.path("error").asText()).contains("timed out");
        assertThat(frames.get(frames.size() - 2).event()).isEqualTo("run-completed");
    }

    @Test
    void theConversationContinuesAcrossCallsAndRawShowsUpstreamEvents() throws Exception {
        String session = session("gpt-4o-mini");
        List<SseFrame> first = SseFrames.parse(stream(session, "first", false).body());
        String firstResponse = SseFrames.json(first.get(first.size() - 2)).path("response_id").asText();
        List<SseFrame> second = SseFrames.parse(stream(session, "second", true).body());
        assertThat(second).anyMatch(f -> "upstream".equals(f.event()));
        assertThat(text(second)).isEqualTo("Echo: second");
        RecordedRequest upstream = gw.emulator.requests().stream().filter(r -> r.body().contains("\"second\""))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(Json.MAPPER.readTree(upstream.body()).path("previous_response_id").asText()).isEqualTo(firstResponse);
    }

    @Test
    void aRunOutlivesItsClientAndIsReattachedWithLastEventId() throws Exception {
        String session = session("agent-slow");
        HttpResponse<InputStream> response = gw.open(gw.post("/api/agent/stream",
                "{\"session_id\":\"" + session + "\",\"input\":\"long\"}"));
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        String runId = response.headers().firstValue("X-Switchboard-Agent-Run-Id").orElseThrow();
        SseReader reader = new SseReader(response.body());
        SseFrame first = reader.next();
        response.body().close();
        List<SseFrame> rest = SseFrames.parse(gw.send(gw.get("/v1/streams/" + streamId).header("Last-Event-ID", first.id())).body());
        assertThat(rest.get(0).id()).isEqualTo(String.valueOf(Long.parseLong(first.id()) + 1));
        assertThat(rest.get(rest.size() - 1).event()).isEqualTo("done");
        assertThat(runOf(session, runId).path("status").asText()).isEqualTo("completed");
    }

    @Test
    void sessionsAreOwnedAndOnlyKnownToolsAreAccepted() throws Exception {
        String session = session("gpt-4o-mini", "clock.now");
        JsonNode listed = Json.MAPPER.readTree(gw.send(gw.get("/api/agent/sessions")).body());
        assertThat(listed.path("data").findValuesAsText("id")).contains(session);
        String stranger = gw.gateway.keys().create("agent-stranger", "other-agent-owner", false).secret();
        assertError(gw.send(gw.get("/api/agent/sessions/" + session).setHeader("Authorization", "Bearer " + stranger)), 404, "not_found");
        assertError(gw.send(gw.post("/api/agent/sessions", "{\"tools\":[\"rm.rf\"]}")), 400, "invalid_value");
        assertError(gw.send(gw.post("/api/agent/stream", "{\"input\":\"x\"}")), 400, "missing_required_parameter");
    }

    @Test
    void theStreamingSwitchOffIsExplained() {
        try (TestGateway off = TestGateway.start()) {
            var error = assertError(off.send(off.post("/api/agent/stream", "{\"session_id\":\"asess_x\",\"input\":\"x\"}")), 503,
                    "streaming_disabled");
            assertThat(error.path("message").asText()).contains("OPENAI_STREAMING_ENABLED=true");
        }
    }

    private static HttpResponse<String> stream(String session, String input, boolean raw) {
        HttpResponse<String> response = gw.send(gw.post("/api/agent/stream" + (raw ? "?raw=true" : ""),
                "{\"session_id\":\"" + session + "\",\"input\":\"" + input + "\"}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static String session(String model, String... tools) throws Exception {
        ObjectNode request = Json.object().put("model", model).put("instructions", "Be brief.");
        var array = request.putArray("tools");
        for (String tool : tools) array.add(tool);
        HttpResponse<String> created = gw.send(gw.post("/api/agent/sessions", Json.write(request)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Json.MAPPER.readTree(created.body()).path("id").asText();
    }

    private static JsonNode runOf(String session, String runId) throws Exception {
        for (JsonNode run : Json.MAPPER.readTree(gw.send(gw.get("/api/agent/sessions/" + session + "/runs")).body()).path("data")) {
            if (run.path("id").asText().equals(runId)) return run;
        }
        throw new AssertionError("no run " + runId);
    }

    private static String text(List<SseFrame> frames) {
        StringBuilder text = new StringBuilder();
        frames.stream().filter(f -> "text-delta".equals(f.event())).forEach(f -> text.append(SseFrames.json(f).path("delta").asText()));
        return text.toString();
    }

    /** A tool for tests: its behaviour is a lambda. */
    private record TestTool(String name, Body body) implements AgentTool {
        interface Body {
            String call(JsonNode arguments) throws Exception;
        }

        @Override
        public String description() {
            return "test tool";
        }

        @Override
        public ObjectNode parameters() {
            return Json.object().put("type", "object");
        }

        @Override
        public String call(JsonNode arguments) throws Exception {
            return body.call(arguments);
        }
    }
}
