package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void healthAndReadinessNeedNoKeyAndReportTheirChecks() {
        try (TestGateway gw = TestGateway.start()) {
            HttpResponse<String> health = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/healthz"))));
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> ready = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/readyz"))));
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"database\":\"ok\"", "\"upstream\":\"ok\"");
        }
    }

    @Test
    void notReadyWhenTheUpstreamIsUnreachable() {
        try (TestGateway gw = TestGateway.start(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:1/v1"))) {
            HttpResponse<String> ready = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/readyz"))));
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"upstream\":\"unreachable\"", "\"database\":\"ok\"");
        }
    }
}
