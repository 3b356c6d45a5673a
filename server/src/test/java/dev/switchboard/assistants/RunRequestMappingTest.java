package dev.switchboard.assistants;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import dev.switchboard.emulator.RecordedRequest;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a run sends upstream, and a run's stream attached to from another instance. */
class RunRequestMappingTest {

    @Test
    void theResponsesRequestCarriesTheRunsSettingsAndTheThread() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            String assistant = json(gw.send(gw.post("/v1/assistants", """
                    {"model":"gpt-4o-mini","instructions":"Be brief.","temperature":0.3,"top_p":0.9,
                     "response_format":{"type":"json_object"},
                     "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",
                               "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}"""))).path("id").asText();
            String thread = json(gw.send(gw.post("/v1/threads", """
                    {"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"reply"},
                                 {"role":"user","content":"second"}]}"""))).path("id").asText();
            gw.send(gw.post("/v1/threads/" + thread + "/runs", """
                    {"assistant_id":"%s","additional_instructions":"Use metric units.","max_completion_tokens":500,
                     "tool_choice":"required","truncation_strategy":{"type":"last_messages","last_messages":3},
                     "additional_messages":[{"role":"user","content":"third"}],"metadata":{"ticket":"42"},"stream":true}"""
                    .formatted(assistant)));
            RecordedRequest upstream = gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/responses"))
                    .reduce((a, b) -> b).orElseThrow();
            JsonNode request = Json.MAPPER.readTree(upstream.body());
            assertThat(request.path("model").asText()).isEqualTo("gpt-4o-mini");
            assertThat(request.path("instructions").asText()).isEqualTo("Be brief.\n\nUse metric units.");
            assertThat(request.path("temperature").asDouble()).isEqualTo(0.3);
            assertThat(request.path("top_p").asDouble()).isEqualTo(0.9);
            assertThat(request.path("max_output_tokens").asInt()).isEqualTo(500);
            assertThat(request.path("tool_choice").asText()).isEqualTo("required");
            assertThat(request.path("text").path("format").path("type").asText()).isEqualTo("json_object");
            assertThat(request.path("metadata").path("ticket").asText()).isEqualTo("42");
            assertThat(request.path("tools").get(0).path("name").asText()).isEqualTo("get_weather");
            assertThat(request.path("tools").get(0).path("parameters").path("properties").has("city")).isTrue();
            // last_messages: 3 keeps "reply", "second" and the additional "third"; "first" is left out.
            List<String> texts = request.path("input").findValues("text").stream().map(JsonNode::asText).toList();
            assertThat(texts).containsExactly("reply", "second", "third");
            assertThat(request.path("input").get(0).path("content").get(0).path("type").asText()).isEqualTo("output_text");
            assertThat(request.path("stream").asBoolean()).isTrue();
            assertThat(request.path("store").asBoolean()).isFalse();
        }
    }

    @Test
    void aRunsStreamIsAttachedToFromAnotherInstance() throws Exception {
        String redis = TestRedis.requireReachable();
        try (TestGateway first = TestGateway.start(Map.of("REDIS_URL", redis));
             TestGateway second = TestGateway.start(Map.of("REDIS_URL", redis))) {
            first.emulator.script("cross-instance", "{\"tokens\":30,\"delay_ms\":30}");
            String assistant = json(first.send(first.post("/v1/assistants", "{\"model\":\"cross-instance\"}"))).path("id").asText();
            String thread = json(first.send(first.post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")))
                    .path("id").asText();
            String run = json(first.send(first.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + assistant + "\"}")))
                    .path("id").asText();
            Thread.sleep(200);
            String body = second.send(HttpRequest.newBuilder(URI.create(second.url(RunStreamRoutes.PREFIX + thread + "/" + run)))
                    .header("Authorization", "Bearer " + first.clientKey)).body();
            List<SseFrame> frames = SseFrames.parse(body);
            assertThat(frames.get(0).event()).isEqualTo("thread.run.created");
            assertThat(frames.get(frames.size() - 2).event()).isEqualTo("thread.run.completed");
            assertThat(frames.get(frames.size() - 1).event()).isEqualTo("done");
        }
    }

    private static JsonNode json(java.net.http.HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
        return Json.MAPPER.readTree(response.body());
    }
}
