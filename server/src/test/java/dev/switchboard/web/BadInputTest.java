package dev.switchboard.web;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BadInputTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_MAX_BODY_BYTES", "4096"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void malformedJsonIs400() {
        assertError(gw.send(gw.post("/v1/chat/completions", "{\"model\": ")), 400, "invalid_json");
        assertError(gw.send(gw.post("/v1/responses", "[1,2]")), 400, "invalid_json");
        assertError(gw.send(gw.post("/v1/responses", "")), 400, "invalid_json");
    }

    @Test
    void missingRequiredFieldsAre400NamingTheField() {
        JsonNode error = assertError(gw.send(gw.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")),
                400, "missing_required_parameter");
        assertThat(error.path("param").asText()).isEqualTo("model");
        error = assertError(gw.send(gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\"}")), 400, "missing_required_parameter");
        assertThat(error.path("param").asText()).isEqualTo("messages");
        error = assertError(gw.send(gw.post("/v1/responses", "{\"input\":\"x\"}")), 400, "missing_required_parameter");
        assertThat(error.path("param").asText()).isEqualTo("model");
        error = assertError(gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")), 400, "invalid_value");
        assertThat(error.path("param").asText()).isEqualTo("stream");
    }

    @Test
    void unknownRouteIs404() {
        assertError(gw.send(gw.get("/api/does/not/exist")), 404, "unknown_url");
        // Under /v1 every path is OpenAI's and forwarded, except in the gateway's own families.
        assertError(gw.send(gw.get("/v1/assistants/asst_1/does/not/exist")), 404, "unknown_url");
        var forwarded = gw.send(gw.get("/v1/does/not/exist"));
        assertThat(forwarded.statusCode()).isEqualTo(404);
        assertThat(gw.emulator.requests().getLast().path()).isEqualTo("/v1/does/not/exist");
    }

    @Test
    void wrongMethodIs405() {
        assertError(gw.send(gw.get("/api/chat")), 405, "method_not_allowed");
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/agent/capabilities")))
                .header("Authorization", "Bearer " + gw.clientKey).DELETE()), 405, "method_not_allowed");
    }

    @Test
    void bodyOverTheLimitIs413() {
        String big = "{\"model\":\"gpt-4o-mini\",\"input\":\"" + "x".repeat(5000) + "\"}";
        assertError(gw.send(gw.post("/v1/responses", big)), 413, "request_too_large");
    }

    @Test
    void wrongContentTypeIs415() {
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/responses")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"input\":\"x\"}"))), 415, "unsupported_media_type");
    }

    @Test
    void idsThatCouldEscapeTheUpstreamPathAre400() {
        // Refused by the ownership rules' path check, before the route's own id check.
        assertError(gw.send(gw.get("/v1/responses/..%2Fmodels")), 400, "invalid_path");
        assertError(gw.send(gw.get("/v1/files/..%2Fmodels")), 400, "invalid_path");
    }
}
