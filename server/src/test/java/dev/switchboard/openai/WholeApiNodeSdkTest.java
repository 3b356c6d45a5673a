package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.NodeOracle;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official Node SDK through the gateway on the endpoints it forwards without a route of its own (the script is
 * {@code node-oracle/whole-api.js}): what the SDK decodes is what OpenAI would have given it, streamed answers
 * arrive as the SDK's typed events, and a second owner's key finds the first owner's objects unknown.
 */
class WholeApiNodeSdkTest {
    @Test
    void everyEndpointFamilyWorksThroughTheGatewayForItsOwnerOnly() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            String other = gw.gateway.keys().create("node-other-owner", null, false).secret();
            NodeOracle.Run run = NodeOracle.node("whole-api.js", List.of(), Map.of("SWITCHBOARD_KEY", gw.clientKey,
                    "SWITCHBOARD_OTHER_KEY", other, "SWITCHBOARD_BASE_URL", gw.baseUrl()));
            assertThat(run.exitCode()).as(run.stderr() + run.stdout()).isZero();
            JsonNode result = Json.MAPPER.readTree(run.stdout());

            assertThat(result.path("embeddings").path("count").asInt()).isEqualTo(2);
            assertThat(result.path("embeddings").path("dimensions").asInt()).isEqualTo(1536);
            assertThat(result.path("embeddings").path("promptTokens").asInt()).isPositive();
            // OpenAI's request id (the SDK's _request_id, what OpenAI's support asks for) reaches the app.
            assertThat(result.path("embeddings").path("requestId").asText()).startsWith("req_");
            assertThat(result.path("moderation").path("results").asInt()).isEqualTo(1);

            JsonNode files = result.path("files");
            assertThat(files.path("roundTrip").asBoolean()).isTrue();
            assertThat(files.path("listed").asBoolean()).isTrue();
            assertThat(files.path("listedForOther").asBoolean()).isFalse();
            assertThat(files.path("otherRefused").asBoolean()).isTrue();

            JsonNode transcription = result.path("transcription");
            assertThat(transcription.path("deltas").asInt()).isGreaterThan(1);
            assertThat(transcription.path("text").asText()).isEqualTo(transcription.path("joined").asText());
            assertThat(transcription.path("text").asText().toLowerCase()).contains("every stream arrives event by event");
            assertThat(transcription.path("totalTokens").asInt()).isPositive();

            assertThat(Json.MAPPER.convertValue(result.path("images").path("events"), List.class))
                    .containsExactly("image_generation.partial_image", "image_generation.partial_image",
                            "image_generation.completed");
            assertThat(result.path("images").path("pngs").asInt()).isEqualTo(3);

            assertThat(result.path("vectorStore").path("status").asText()).isEqualTo("completed");
            assertThat(result.path("vectorStore").path("firstHit").asText()).isEqualTo(files.path("id").asText());
            assertThat(result.path("vectorStore").path("otherRefused").asBoolean()).isTrue();
        }
    }
}
