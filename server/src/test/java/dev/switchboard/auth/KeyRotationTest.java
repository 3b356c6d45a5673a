package dev.switchboard.auth;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rotating a key with an overlap window, and the audit log of administration. */
class KeyRotationTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aRotatedKeyWorksUntilItsOverlapEndsAndItsSuccessorKeepsItsLimits() throws Exception {
        JsonNode old = json(admin("/api/admin/keys").POST(body("{\"name\":\"mobile\",\"owner\":\"team-m\"}")));
        String oldId = old.path("id").asText();
        String oldKey = old.path("key").asText();
        assertThat(gw.send(admin("/api/admin/keys/" + oldId + "/limits").PUT(body("{\"requests_per_minute\":500}"))).statusCode()).isEqualTo(200);

        HttpResponse<String> rotated = gw.send(admin("/api/admin/keys/" + oldId + "/rotate").POST(body("{\"overlap_seconds\":2}")));
        assertThat(rotated.statusCode()).isEqualTo(201);
        JsonNode successor = Json.MAPPER.readTree(rotated.body());
        String newKey = successor.path("key").asText();
        assertThat(newKey).startsWith("sb-").isNotEqualTo(oldKey);
        assertThat(successor.path("replaces").asText()).isEqualTo(oldId);
        assertThat(successor.path("owner").asText()).isEqualTo("team-m");
        assertThat(status(newKey)).isEqualTo(200);
        // In the overlap window both work: clients move over without an outage.
        assertThat(status(oldKey)).isEqualTo(200);
        assertThat(json(admin("/api/admin/keys/" + successor.path("id").asText() + "/limits").GET())
                .path("requests_per_minute").asInt()).isEqualTo(500);
        awaitTrue(() -> status(oldKey) == 401);
        assertThat(status(newKey)).isEqualTo(200);

        // With no overlap the old key stops at once.
        JsonNode again = json(admin("/api/admin/keys/" + successor.path("id").asText() + "/rotate").POST(body("{\"overlap_seconds\":0}")));
        assertThat(status(newKey)).isEqualTo(401);
        assertThat(status(again.path("key").asText())).isEqualTo(200);

        assertThat(gw.send(admin("/api/admin/keys/" + oldId + "/rotate").POST(body("{}"))).statusCode()).isEqualTo(404);
        assertThat(gw.send(admin("/api/admin/keys/" + again.path("id").asText() + "/rotate")
                .POST(body("{\"overlap_seconds\":-5}"))).statusCode()).isEqualTo(400);
    }

    @Test
    void administrationIsAuditedWithoutKeys() throws Exception {
        JsonNode created = json(admin("/api/admin/keys").POST(body("{\"name\":\"audited\"}")));
        String id = created.path("id").asText();
        gw.send(admin("/api/admin/keys/" + id + "/limits").PUT(body("{\"tokens_per_day\":1000}")));
        gw.send(admin("/api/admin/keys/" + id).DELETE());

        HttpResponse<String> audit = gw.send(admin("/api/admin/audit?limit=10").GET());
        assertThat(audit.body()).doesNotContain(created.path("key").asText()).doesNotContain(gw.adminKey);
        JsonNode entries = Json.MAPPER.readTree(audit.body()).path("data");
        assertThat(entries.get(0).path("action").asText()).isEqualTo("key.revoke");
        assertThat(entries.get(1).path("action").asText()).isEqualTo("key.limits");
        assertThat(entries.get(1).path("detail").path("tokens_per_day").asInt()).isEqualTo(1000);
        assertThat(entries.get(2).path("action").asText()).isEqualTo("key.create");
        for (int i = 0; i < 3; i++) {
            assertThat(entries.get(i).path("target").asText()).isEqualTo(id);
            assertThat(entries.get(i).path("actor").asText()).startsWith("test-admin (key_");
            assertThat(entries.get(i).path("at").asText()).isNotBlank();
        }
        assertThat(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/audit")))
                .header("Authorization", "Bearer " + gw.clientKey)).statusCode()).isEqualTo(403);
    }

    private static int status(String key) {
        return gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models"))).header("Authorization", "Bearer " + key)).statusCode();
    }

    private static HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey)
                .header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher body(String json) {
        return HttpRequest.BodyPublishers.ofString(json);
    }

    private static JsonNode json(HttpRequest.Builder request) throws Exception {
        return Json.MAPPER.readTree(gw.send(request).body());
    }
}
