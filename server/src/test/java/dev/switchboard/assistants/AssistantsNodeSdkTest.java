package dev.switchboard.assistants;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.NodeOracle;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official Node SDK's Assistants tool round through the gateway, against the emulator with no script: the
 * run stops at {@code requires_action} with arguments its tool's schema accepts, and {@code submitToolOutputsStream}
 * runs it to completion with the tool's output in the answer.
 */
class AssistantsNodeSdkTest {
    @Test
    void requiresActionThenSubmitToolOutputsStreamCompletesTheRun() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            NodeOracle.Run run = NodeOracle.node("assistants-tool-round.js", List.of(), Map.of(
                    "SWITCHBOARD_KEY", gw.clientKey, "SWITCHBOARD_BASE_URL", "http://127.0.0.1:" + gw.gateway.port() + "/v1"));
            assertThat(run.exitCode()).as(run.stderr() + run.stdout()).isZero();
            JsonNode result = Json.MAPPER.readTree(run.stdout());
            assertThat(Json.MAPPER.convertValue(result.path("firstEvents"), List.class))
                    .contains("thread.run.created", "thread.run.step.created", "thread.run.requires_action");
            assertThat(result.path("tool").asText()).isEqualTo("get_weather");
            assertThat(result.path("args").path("city").isTextual()).isTrue();
            assertThat(result.path("args").path("unit").asText()).isIn("celsius", "fahrenheit");
            assertThat(Json.MAPPER.convertValue(result.path("secondEvents"), List.class))
                    .contains("thread.run.step.completed", "thread.message.completed", "thread.run.completed");
            assertThat(result.path("status").asText()).isEqualTo("completed");
            assertThat(result.path("text").asText()).contains("{\"temperature\":21}");
            assertThat(result.path("messages").get(0).path("role").asText()).isEqualTo("assistant");
            assertThat(result.path("usage").path("total_tokens").asInt()).isPositive();
        }
    }
}
