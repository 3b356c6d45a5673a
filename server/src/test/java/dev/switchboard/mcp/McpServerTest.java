package dev.switchboard.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The official MCP Java SDK's client against the gateway's /mcp: list and call document.vision_ocr. */
class McpServerTest {

    @Test
    void anMcpClientListsAndCallsVisionOcrOnASignedUrl() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("SWITCHBOARD_DEBUG_EVENTS", "true"))) {
            byte[] png = dev.switchboard.documents.DocumentOcrTestSupport.pngWithText("Delivery note 7: 3 boxes");
            var upload = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/documents")))
                    .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png)));
            String url = gw.url(Json.MAPPER.readTree(upload.body()).path("url").asText());

            try (McpSyncClient client = client(gw, gw.clientKey)) {
                client.initialize();
                assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("document.vision_ocr");
                McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("document.vision_ocr", Map.of("url", url)));
                assertThat(result.isError()).isFalse();
                assertThat(((McpSchema.TextContent) result.content().get(0)).text()).isEqualTo("Delivery note 7: 3 boxes");

                McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("document.vision_ocr",
                        Map.of("url", "http://169.254.169.254/latest/meta-data/")));
                assertThat(refused.isError()).isTrue();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            long logged;
            do {
                Thread.sleep(50);
                logged = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select count(*) from openai_debug_events where kind = 'tool_call' and endpoint = 'tool:document.vision_ocr'")
                        .mapTo(Long.class).one());
            } while (logged < 2 && System.nanoTime() < deadline);
            assertThat(logged).isEqualTo(2);
        }
    }

    @Test
    void mcpNeedsAGatewayKey() {
        try (TestGateway gw = TestGateway.start()) {
            try (McpSyncClient client = client(gw, "sb-not-a-key")) {
                assertThatThrownBy(client::initialize).isNotNull();
            }
            var response = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/mcp"))).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).contains("missing_api_key");
        }
    }

    private static McpSyncClient client(TestGateway gw, String key) {
        var transport = HttpClientStreamableHttpTransport.builder(gw.url(""))
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
    }
}
