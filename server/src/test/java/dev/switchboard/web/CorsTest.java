package dev.switchboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Browsers on listed origins may call the API; others may not; the pages carry their security headers. */
class CorsTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_CORS_ORIGINS", "https://app.example.com, http://localhost:3000"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aListedOriginsPreflightIsAnsweredWithoutAKey() {
        HttpResponse<String> preflight = preflight("https://app.example.com", "/v1/chat/completions");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

        HttpResponse<String> call = gw.send(gw.get("/v1/models").header("Origin", "http://localhost:3000"));
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
        assertThat(call.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("X-Switchboard-Request-Id", "Retry-After");
        assertThat(call.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
    }

    @Test
    void anUnlistedOriginGetsNoAccess() {
        HttpResponse<String> preflight = preflight("https://evil.example", "/v1/chat/completions");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        HttpResponse<String> call = gw.send(gw.get("/v1/models").header("Origin", "https://evil.example"));
        assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        // Without a key, a plain call is still refused: a preflight is the only thing answered without one.
        HttpResponse<String> keyless = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models"))).header("Origin", "https://app.example.com"));
        assertThat(keyless.statusCode()).isEqualTo(401);
    }

    @Test
    void thePagesCarryTheirSecurityHeaders() {
        HttpResponse<String> page = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/admin"))));
        String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(policy).contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void anOriginThatIsNotOneStopsTheStart() {
        var problem = org.assertj.core.api.Assertions.catchThrowable(() -> dev.switchboard.config.SettingsLoader.load(
                Map.of("SWITCHBOARD_CORS_ORIGINS", "https://*.example.com"), java.util.Optional.empty()));
        assertThat(problem).hasMessageContaining("SWITCHBOARD_CORS_ORIGINS holds 'https://*.example.com'");
    }

    private static HttpResponse<String> preflight(String origin, String path) {
        return gw.send(HttpRequest.newBuilder(URI.create(gw.url(path))).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type"));
    }
}
