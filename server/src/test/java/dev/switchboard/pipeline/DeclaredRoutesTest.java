package dev.switchboard.pipeline;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route of the API is declared to admission: one registered any other way would skip authentication, the key's
 * limits, ownership and the request log. The walk covers every route the listener knows, so a new route cannot
 * forget its declaration.
 */
class DeclaredRoutesTest {
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void everyApiRouteIsDeclared() {
        List<String> api = gw.gateway.routes().stream().filter(route -> Admission.isApi(route.substring(route.indexOf(' ') + 1)))
                .toList();
        assertThat(api).hasSizeGreaterThan(60).contains("GET /v1/realtime", "POST /v1/responses", "GET /api/admin/keys");
        assertThat(api).allSatisfy(route -> assertThat(gw.gateway.declaredRoutes()).contains(route));
    }

    @Test
    void everyDeclaredRouteIsServed() {
        assertThat(gw.gateway.routes()).containsAll(gw.gateway.declaredRoutes());
    }

    @Test
    void aGatewayAnsweredRequestHasItsOwnRequestLogRow() throws InterruptedException {
        var created = gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\"}").header("OpenAI-Beta", "assistants=v2"));
        assertThat(created.statusCode()).isEqualTo(200);
        String requestId = created.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
        dev.switchboard.Await.until(java.time.Duration.ofSeconds(10), () -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from request_log where request_id = :id and endpoint = '/v1/assistants' and status = 200")
                .bind("id", requestId).mapTo(Long.class).one()) == 1);
    }

    @Test
    void anAdminRouteRefusesAClientKeyBeforeItsHandler() {
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                .header("Authorization", "Bearer " + gw.clientKey)), 403, "admin_key_required");
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/assistants")))), 401, "missing_api_key");
    }
}
