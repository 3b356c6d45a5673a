package dev.switchboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@code /openapi.json} documents exactly the routes the gateway registers: no more, no fewer. */
class OpenApiTest {
    @Test
    void theDocumentMatchesTheRegisteredRoutes() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true"))) {
            HttpResponse<String> served = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/openapi.json"))));
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            JsonNode document = Json.MAPPER.readTree(served.body());
            assertThat(document.path("openapi").asText()).startsWith("3.1");
            assertThat(document.path("components").path("securitySchemes").has("gatewayKey")).isTrue();

            Set<String> documented = new TreeSet<>();
            document.path("paths").properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(
                    method -> documented.add(method.toUpperCase() + " " + path.getKey())));
            Set<String> registered = new TreeSet<>();
            for (String route : gw.gateway.routes()) {
                // The pages' scripts and styles are one documented path.
                // The catch-all's Javalin parameter <path> (slashes included) is OpenAPI's {path}.
                registered.add(route.startsWith("GET /assets/") ? "GET /assets/{file}" : route.replace("<path>", "{path}"));
            }
            assertThat(documented).as("documented but not registered").isSubsetOf(registered);
            assertThat(registered).as("registered but not documented").isSubsetOf(documented);

            // Each operation says what it answers, and every path parameter is declared.
            document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
                assertThat(operation.getValue().path("responses").size()).as(path.getKey()).isPositive();
                assertThat(operation.getValue().path("summary").asText()).as(path.getKey()).isNotBlank();
                long declared = operation.getValue().path("parameters").findValuesAsText("in").stream().filter("path"::equals).count();
                assertThat(declared).as(path.getKey()).isEqualTo(path.getKey().chars().filter(c -> c == '{').count());
            }));
        }
    }
}
