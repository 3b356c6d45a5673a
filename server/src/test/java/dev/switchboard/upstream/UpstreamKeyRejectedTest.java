package dev.switchboard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 3: a wrong OPENAI_API_KEY is the operator's problem. The emulator checks keys, as OpenAI does, and
 * the gateway is given a wrong one: clients get a gateway error saying whose key failed, never OpenAI's 401
 * {@code invalid_api_key} (which reads as if their gateway key was refused), and the start-up banner warns.
 */
class UpstreamKeyRejectedTest {
    private static final String WRONG_KEY = "sk-wrong-key-abcdefghijklmnop";
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_API_KEY", WRONG_KEY, "OPENAI_STREAMING_ENABLED", "true",
                "OPENAI_REALTIME_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void everyRouteAnswersARefusedUpstreamKeyAsTheGatewaysOwnError() throws Exception {
        assertKeyRejected(gw.send(gw.get("/v1/models")));
        assertKeyRejected(gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        assertKeyRejected(gw.send(gw.post("/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}")));
        // The gateway's own calls: /api/chat over Chat Completions, and over a Realtime WebSocket (then its fallback).
        for (String model : new String[] {"gpt-4o-mini", "gpt-realtime"}) {
            HttpResponse<String> chat = gw.send(gw.post("/api/chat", "{\"stream\":false,\"model\":\"" + model
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
            assertThat(chat.statusCode()).as(model + ": " + chat.body()).isEqualTo(502);
            assertThat(chat.body()).as(model).contains("upstream_key_rejected")
                    .doesNotContain("invalid_api_key", "Incorrect API key", "wrong-key", "mnop");
        }

        // A stream the gateway asks for itself (an agent turn) ends with the same error, as an event.
        String session = Json.MAPPER.readTree(gw.send(gw.post("/api/agent/sessions",
                "{\"name\":\"key-check\",\"model\":\"gpt-4o-mini\"}")).body()).path("id").asText();
        String agent = gw.send(gw.post("/api/agent/stream", "{\"session_id\":\"" + session + "\",\"input\":\"hi\"}")).body();
        assertThat(agent).contains("upstream_key_rejected", "OPENAI_API_KEY")
                .doesNotContain("invalid_api_key", "Incorrect API key", "wrong-key", "mnop");
    }

    @Test
    void theStartUpBannerWarnsThatOpenAiRefusedTheKey() {
        assertThat(banner(gw)).contains("WARNING: OpenAI REFUSED THE GATEWAY'S OPENAI_API_KEY (HTTP 401)",
                "502 upstream_key_rejected").doesNotContain("wrong-key");
        try (TestGateway right = TestGateway.start()) {
            assertThat(banner(right)).contains("(the key is accepted)").doesNotContain("WARNING");
        }
    }

    private static void assertKeyRejected(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
        JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_key_rejected");
        assertThat(error.path("type").asText()).isEqualTo("upstream_error");
        assertThat(error.path("message").asText()).contains("this gateway's own OpenAI API key", "Your gateway key was accepted",
                "operator must set a valid OPENAI_API_KEY");
        assertThat(response.body()).doesNotContain("invalid_api_key", "Incorrect API key", "wrong-key", "mnop");
    }

    private static String banner(TestGateway gateway) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        gateway.gateway.announce(new PrintStream(out, true, StandardCharsets.UTF_8), "127.0.0.1", "http");
        return out.toString(StandardCharsets.UTF_8);
    }
}
