package dev.switchboard.auth;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.UnauthorizedException;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
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
    void missingOrUnknownKeysAre401() {
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models")))), 401, "missing_api_key");
        assertError(gw.send(withKey("/v1/models", "sb-not-a-real-key")), 401, "invalid_api_key");
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models"))).header("Authorization", "Basic abc")),
                401, "missing_api_key");
    }

    @Test
    void anOpenAiKeySentToTheGatewayIsToldWhatKeyItTakes() {
        String openAiKey = "sk-proj-abcdefghijklmnop0123456789";
        assertThatThrownBy(() -> gw.sdk(openAiKey).models().list()).isInstanceOfSatisfying(UnauthorizedException.class,
                refused -> {
                    assertThat(refused.code()).hasValue("invalid_api_key");
                    assertThat(refused.getMessage()).contains("start with 'sb-'", "not an OpenAI key")
                            .doesNotContain(openAiKey, "abcdefghij");
                });
        // A gateway-shaped key that authenticates no one is told it is unknown or revoked, not that it is misshapen.
        assertThatThrownBy(() -> gw.sdk("sb-not-a-real-key").models().list()).isInstanceOfSatisfying(
                UnauthorizedException.class, refused -> assertThat(refused.getMessage()).contains("unknown or has been revoked"));
    }

    @Test
    void acceptsTheKeyAsBearerOrXApiKey() {
        assertThat(gw.send(withKey("/v1/models", gw.clientKey)).statusCode()).isEqualTo(200);
        assertThat(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models"))).header("X-API-Key", gw.clientKey))
                .statusCode()).isEqualTo(200);
    }

    @Test
    void adminApiCreatesListsAndRevokesKeysAndRevocationIsImmediate() throws Exception {
        HttpResponse<String> created = gw.send(admin("/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"mobile-app\",\"owner\":\"team-mobile\"}")));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode key = Json.MAPPER.readTree(created.body());
        String secret = key.path("key").asText();
        assertThat(secret).startsWith("sb-");
        assertThat(key.path("owner").asText()).isEqualTo("team-mobile");
        assertThat(gw.send(withKey("/v1/models", secret)).statusCode()).isEqualTo(200);

        HttpResponse<String> listed = gw.send(admin("/api/admin/keys").GET());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(key.path("id").asText(), "mobile-app").doesNotContain(secret);
        // Newest first, a page at a time.
        JsonNode first = Json.MAPPER.readTree(gw.send(admin("/api/admin/keys?limit=1").GET()).body());
        assertThat(first.path("data")).hasSize(1);
        assertThat(first.path("data").get(0).path("id").asText()).isEqualTo(key.path("id").asText());
        assertThat(first.path("has_more").asBoolean()).isTrue();
        JsonNode second = Json.MAPPER.readTree(gw.send(admin("/api/admin/keys?limit=1&before="
                + first.path("next_before").asText()).GET()).body());
        assertThat(second.path("data").get(0).path("id").asText()).isNotEqualTo(key.path("id").asText());
        assertError(gw.send(admin("/api/admin/keys?limit=0").GET()), 400, "invalid_value");

        HttpResponse<String> revoked = gw.send(admin("/api/admin/keys/" + key.path("id").asText()).DELETE());
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(revoked.body()).path("revoked_at").isNumber()).isTrue();
        assertError(gw.send(withKey("/v1/models", secret)), 401, "invalid_api_key");
    }

    @Test
    void aRevocationMadeElsewhereReachesAnInstanceThatRemembersTheKey() throws Exception {
        try (TestGateway other = TestGateway.start()) {
            for (boolean byCommand : new boolean[] {false, true}) {
                CreatedKey key = gw.gateway.keys().create("cached-" + byCommand, null, false);
                assertThat(gw.send(withKey("/v1/models", key.secret())).statusCode()).isEqualTo(200);
                assertThat(gw.send(withKey("/v1/models", key.secret())).statusCode()).isEqualTo(200);
                if (byCommand) {
                    // As './switchboard keys revoke' does: a separate process, straight to the database.
                    new ApiKeys(gw.gateway.database().jdbi()).revoke(key.key().id());
                } else {
                    other.send(HttpRequest.newBuilder(URI.create(other.url("/api/admin/keys/" + key.key().id())))
                            .header("Authorization", "Bearer " + other.adminKey).DELETE());
                }
                // NOTIFY arrives within milliseconds; allow a generous moment before the request that must fail.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (gw.send(withKey("/v1/models", key.secret())).statusCode() == 200 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertError(gw.send(withKey("/v1/models", key.secret())), 401, "invalid_api_key");
            }
        }
    }

    @Test
    void adminRoutesNeedAnAdminKey() {
        assertError(gw.send(withKey("/api/admin/keys", gw.clientKey)), 403, "admin_key_required");
        assertError(gw.send(admin("/api/admin/keys/key_unknown").DELETE()), 404, "not_found");
        assertError(gw.send(admin("/api/admin/keys").POST(HttpRequest.BodyPublishers.ofString("{}"))), 400,
                "missing_required_parameter");
    }

    @Test
    void keysAreStoredOnlyAsHashes() {
        CreatedKey created = gw.gateway.keys().create("hash-check", null, false);
        String stored = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select encode(key_hash, 'hex') || key_prefix || name || owner from api_keys where id = :id")
                .bind("id", created.key().id()).mapTo(String.class).one());
        assertThat(stored).doesNotContain(created.secret());
        assertThat(created.key().prefix()).hasSize(9);
    }

    private static HttpRequest.Builder withKey(String path, String key) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + key);
    }

    private static HttpRequest.Builder admin(String path) {
        return withKey(path, gw.adminKey).header("Content-Type", "application/json");
    }
}
