package dev.switchboard.auth;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestDatabase;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 6: a key's owner is never taken from its name. A key created without an owner gets a new one of its
 * own, so a key an administrator happens to name {@code admin} does not read the administrator's objects.
 */
class KeyOwnersTest {

    @Test
    void aKeyNamedAdminDoesNotReadTheBootstrapAdministratorsAssistants() throws Exception {
        // A database of its own, so that this gateway makes the first admin key, as a new installation does.
        String adminUrl = TestDatabase.sharedUrl();
        String url = TestDatabase.freshDatabase(adminUrl);
        try (TestGateway gw = TestGateway.start(Map.of("DATABASE_URL", url))) {
            CreatedKey bootstrap = gw.gateway.bootstrapAdmin().orElseThrow();
            assertThat(bootstrap.key().admin()).isTrue();
            String adminKey = bootstrap.secret();
            String assistant = json(gw.send(request(gw, adminKey, "/v1/assistants").POST(body("{\"model\":\"gpt-4o-mini\"}"))))
                    .path("id").asText();

            JsonNode named = json(gw.send(request(gw, adminKey, "/api/admin/keys").POST(body("{\"name\":\"admin\"}"))));
            assertThat(named.path("admin").asBoolean()).isFalse();
            assertThat(named.path("owner").asText()).startsWith("own_").isNotEqualTo(bootstrap.key().owner());
            String namedKey = named.path("key").asText();
            assertError(gw.send(request(gw, namedKey, "/v1/assistants/" + assistant).GET()), 404, "not_found");
            assertThat(json(gw.send(request(gw, namedKey, "/v1/assistants").GET())).path("data")).isEmpty();

            // Owners are not shared by accident: two keys without one have two owners.
            JsonNode another = json(gw.send(request(gw, adminKey, "/api/admin/keys").POST(body("{\"name\":\"admin\"}"))));
            assertThat(another.path("owner").asText()).startsWith("own_").isNotEqualTo(named.path("owner").asText());

            // Given explicitly, an owner is shared: that is how an administrator means it.
            JsonNode shared = json(gw.send(request(gw, adminKey, "/api/admin/keys")
                    .POST(body("{\"name\":\"ops\",\"owner\":\"" + bootstrap.key().owner() + "\"}"))));
            assertThat(gw.send(request(gw, shared.path("key").asText(), "/v1/assistants/" + assistant).GET()).statusCode())
                    .isEqualTo(200);
            assertError(gw.send(request(gw, adminKey, "/api/admin/keys").POST(body("{\"name\":\"x\",\"owner\":\" \"}"))),
                    400, "invalid_value");

            // The listing shows each key's owner.
            JsonNode listed = json(gw.send(request(gw, adminKey, "/api/admin/keys").GET()));
            assertThat(listed.path("data").findValuesAsText("owner")).contains(named.path("owner").asText(),
                    another.path("owner").asText(), bootstrap.key().owner());
        } finally {
            TestDatabase.drop(adminUrl, url);
        }
    }

    private static HttpRequest.Builder request(TestGateway gw, String key, String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher body(String json) {
        return HttpRequest.BodyPublishers.ofString(json);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
        return Json.MAPPER.readTree(response.body());
    }
}
