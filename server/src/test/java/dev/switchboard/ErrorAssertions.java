package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.Json;
import java.net.http.HttpResponse;

/** Checks that a response is an OpenAI-shaped error with the expected status and code. */
public final class ErrorAssertions {
    private ErrorAssertions() {}

    public static JsonNode assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error;
        try {
            error = Json.MAPPER.readTree(response.body()).path("error");
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("type")).isTrue();
        assertThat(error.has("param")).isTrue();
        return error;
    }
}
