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

    /** Issue 15, item 12: a revocation in the overlap is not put off until the overlap ends, on any instance. */
    @Test
    void revokingARotatedKeyInItsOverlapRefusesItAtOnceOnEveryInstance() throws Exception {
        try (TestGateway other = TestGateway.start()) {
            for (boolean byCommand : new boolean[] {false, true}) {
                JsonNode old = json(admin("/api/admin/keys").POST(body("{\"name\":\"revoked-in-overlap\"}")));
                String oldKey = old.path("key").asText();
                assertThat(status(other, oldKey)).isEqualTo(200);
                assertThat(gw.send(admin("/api/admin/keys/" + old.path("id").asText() + "/rotate")
                        .POST(body("{\"overlap_seconds\":3600}"))).statusCode()).isEqualTo(201);
                assertThat(status(gw, oldKey)).isEqualTo(200);
                assertThat(status(other, oldKey)).isEqualTo(200);

                if (byCommand) {
                    // As './switchboard keys revoke' does: a separate process, straight to the database.
                    assertThat(new ApiKeys(gw.gateway.database().jdbi()).revoke(old.path("id").asText())).isPresent();
                } else {
                    HttpResponse<String> revoked = gw.send(admin("/api/admin/keys/" + old.path("id").asText()).DELETE());
                    assertThat(revoked.statusCode()).isEqualTo(200);
                    assertThat(Json.MAPPER.readTree(revoked.body()).path("revoked_at").asLong())
                            .isLessThanOrEqualTo(System.currentTimeMillis() / 1000);
                    assertThat(status(gw, oldKey)).isEqualTo(401);
                }
                // NOTIFY arrives within milliseconds; a generous moment before the request that must fail.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (status(other, oldKey) == 200 && System.nanoTime() < deadline) Thread.sleep(20);
                assertThat(status(other, oldKey)).isEqualTo(401);
                assertThat(status(gw, oldKey)).isEqualTo(401);
            }
        }
    }

    /** Issue 15, item 12: an instance that remembers the old key refuses it when the overlap ends, not a minute later. */
    @Test
    void theOverlapEndsOnEveryInstanceAtItsOwnTime() throws Exception {
        try (TestGateway other = TestGateway.start()) {
            JsonNode old = json(admin("/api/admin/keys").POST(body("{\"name\":\"overlap-ends\"}")));
            String oldKey = old.path("key").asText();
            // Both instances verify the key, and so remember it.
            assertThat(status(other, oldKey)).isEqualTo(200);
            assertThat(status(gw, oldKey)).isEqualTo(200);
            HttpResponse<String> rotated = gw.send(admin("/api/admin/keys/" + old.path("id").asText() + "/rotate")
                    .POST(body("{\"overlap_seconds\":3}")));
            long endsAt = Json.MAPPER.readTree(rotated.body()).path("replaced_key_expires_at").asLong();
            assertThat(status(other, oldKey)).isEqualTo(200);

            while (System.currentTimeMillis() / 1000 <= endsAt) Thread.sleep(100);
            // Well within the key cache's minute.
            awaitTrue(() -> status(other, oldKey) == 401);
            awaitTrue(() -> status(gw, oldKey) == 401);
        }
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
        return status(gw, key);
    }

    private static int status(TestGateway instance, String key) {
        return instance.send(HttpRequest.newBuilder(URI.create(instance.url("/v1/models"))).header("Authorization", "Bearer " + key)).statusCode();
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
