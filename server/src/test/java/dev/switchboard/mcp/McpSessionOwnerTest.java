package dev.switchboard.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Issue 15, item 4: an MCP session belongs to the key (owner) that opened it; any other key gets 404. */
class McpSessionOwnerTest {
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"owner-test\",\"version\":\"1\"}}}";
    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

    @Test
    void anotherKeysUseOfASessionIs404LikeAnUnknownSession() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            String other = gw.gateway.keys().create("mcp-other-owner", null, false).secret();
            HttpResponse<String> opened = gw.send(mcp(gw, "POST", gw.clientKey, null, INITIALIZE));
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
            String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
            gw.send(mcp(gw, "POST", gw.clientKey, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
            assertThat(gw.send(mcp(gw, "POST", gw.clientKey, session, LIST)).statusCode()).isEqualTo(200);

            HttpResponse<String> unknown = gw.send(mcp(gw, "POST", other, "not-a-session", LIST));
            for (String method : new String[] {"POST", "GET", "DELETE"}) {
                HttpResponse<String> refused = gw.send(mcp(gw, method, other, session, method.equals("POST") ? LIST : null));
                assertThat(refused.statusCode()).as(method + " by another key: " + refused.body()).isEqualTo(404);
                assertNoSession(refused);
                assertThat(refused.body()).as(method).isEqualTo(unknown.body());
            }
            assertNoSession(unknown);

            // The session is untouched: its owner still uses it, then ends it.
            assertThat(gw.send(mcp(gw, "POST", gw.clientKey, session, LIST)).statusCode()).isEqualTo(200);
            assertThat(gw.send(mcp(gw, "DELETE", gw.clientKey, session, null)).statusCode()).isLessThan(300);
            assertNoSession(gw.send(mcp(gw, "POST", gw.clientKey, session, LIST)));
        }
    }

    private static void assertNoSession(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(body.path("error").path("code").asInt()).isEqualTo(McpErrors.SESSION_NOT_FOUND);
        assertThat(body.path("error").path("message").asText()).contains("Mcp-Session-Id");
    }

    private static HttpRequest.Builder mcp(TestGateway gw, String method, String key, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.url("/mcp")))
                .header("Authorization", "Bearer " + key).header("Accept", "application/json, text/event-stream")
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (session != null) request.header("Mcp-Session-Id", session);
        return request;
    }
}
