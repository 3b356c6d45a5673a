package dev.switchboard.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 17, point 6, through a real gateway and two owners' keys: for each kind of object, what owner A creates is,
 * to owner B, on every route naming it in its path or body, exactly what an id nobody created is; A's own requests
 * work; and a list of the kind shows each owner only its own. One case per kind: a kind the emulator answers is
 * added as one more {@link Kind} in {@link #kinds()}.
 */
class OwnershipAcrossKindsTest {
    static TestGateway gw;
    static String keyA;
    static String keyB;

    /**
     * A kind under test.
     *
     * @param name     for the test's name
     * @param create   how A creates one: method, path, JSON body; the answer's {@code id} is the object
     * @param unknown  an id of the kind that nobody created
     * @param uses     requests naming it: {@code %s} in the path or the body is the id; each with the status B gets
     * @param listPath the kind's list endpoint, or null when OpenAI has none
     */
    record Kind(String name, Use create, String unknown, List<Use> uses, String listPath) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One request: {@code status} is what another owner's id (and an unknown one) is answered with. */
    record Use(String method, String path, String body, int status) {}

    static Stream<Kind> kinds() {
        String model = "{\"model\":\"gpt-4o-mini\",\"input\":\"x\"";
        String items = "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"from b\"}]}";
        return Stream.of(
                new Kind("response", new Use("POST", "/v1/responses", model + "}", 200),
                        "resp_0000000000000000000000000000unknown", List.of(
                        new Use("GET", "/v1/responses/%s", null, 404),
                        new Use("GET", "/v1/responses/%s/input_items", null, 404),
                        new Use("DELETE", "/v1/responses/%s", null, 404),
                        new Use("POST", "/v1/responses", model + ",\"previous_response_id\":\"%s\"}", 400),
                        new Use("POST", "/v1/responses", model + ",\"stream\":true,\"previous_response_id\":\"%s\"}", 400)),
                        null),
                new Kind("conversation", new Use("POST", "/v1/conversations", "{}", 200),
                        "conv_0000000000000000000000000000unknown", List.of(
                        new Use("GET", "/v1/conversations/%s", null, 404),
                        new Use("POST", "/v1/conversations/%s", "{\"metadata\":{\"by\":\"b\"}}", 404),
                        new Use("GET", "/v1/conversations/%s/items", null, 404),
                        new Use("POST", "/v1/conversations/%s/items", items, 404),
                        new Use("DELETE", "/v1/conversations/%s", null, 404),
                        new Use("POST", "/v1/responses", model + ",\"conversation\":\"%s\"}", 404),
                        new Use("POST", "/v1/responses", model + ",\"conversation\":{\"id\":\"%s\"}}", 404)),
                        null));
    }

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        keyA = createKey("kinds-a-" + suffix);
        keyB = createKey("kinds-b-" + suffix);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void anotherOwnersObjectIsAnUnknownOneOnEveryRouteNamingIt(Kind kind) {
        String id = create(keyA, kind);
        for (Use use : kind.uses()) {
            HttpResponse<String> foreign = send(keyB, use, id);
            HttpResponse<String> unknown = send(keyB, use, kind.unknown());
            String what = kind + ": " + use;
            assertThat(unknown.statusCode()).as(what + " " + unknown.body()).isEqualTo(use.status());
            assertThat(foreign.statusCode()).as(what + " " + foreign.body()).isEqualTo(use.status());
            assertThat(foreign.body()).as(what).isEqualTo(unknown.body().replace(kind.unknown(), id));
            assertThat(json(foreign).path("error").path("message").asText()).as(what).contains(id);
        }
        // None of that touched it: the owner's own requests work, reading first so that deleting comes last.
        List<Use> owners = new ArrayList<>(kind.uses());
        owners.sort((x, y) -> Boolean.compare("DELETE".equals(x.method()), "DELETE".equals(y.method())));
        for (Use use : owners) {
            HttpResponse<String> own = send(keyA, use, id);
            assertThat(own.statusCode()).as(kind + " by its owner: " + use + " " + own.body()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aListOfTheKindShowsEachOwnerItsOwn(Kind kind) {
        if (kind.listPath() == null) return;
        String mine = create(keyA, kind);
        String theirs = create(keyB, kind);
        List<String> seenByA = listed(keyA, kind.listPath());
        List<String> seenByB = listed(keyB, kind.listPath());
        assertThat(seenByA).contains(mine).doesNotContain(theirs);
        assertThat(seenByB).contains(theirs).doesNotContain(mine);
    }

    @Test
    void filesNamedInAChatOrAResponseAreCheckedBeforeAnythingIsForwarded() {
        String unknown = "file-0000000000000000000000unknown";
        for (Use use : List.of(
                new Use("POST", "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"%s\"}}]}]}", 404),
                new Use("POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"input_file\",\"file_id\":\"%s\"}]}]}", 404))) {
            HttpResponse<String> refused = send(keyA, use, unknown);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(404);
            JsonNode error = json(refused).path("error");
            assertThat(error.path("message").asText()).isEqualTo("No such File object: " + unknown);
            assertThat(error.path("param").asText()).isEqualTo("file_id");
        }
    }

    private static List<String> listed(String key, String path) {
        List<String> ids = new ArrayList<>();
        String after = null;
        while (true) {
            HttpResponse<String> page = send(key, new Use("GET", path + "?limit=100" + (after == null ? "" : "&after=" + after),
                    null, 200), null);
            JsonNode body = json(page);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            body.path("data").forEach(item -> ids.add(item.path("id").asText()));
            if (!body.path("has_more").asBoolean()) return ids;
            after = body.path("last_id").asText();
        }
    }

    private static String create(String key, Kind kind) {
        HttpResponse<String> created = send(key, kind.create(), null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return json(created).path("id").asText();
    }

    private static HttpResponse<String> send(String key, Use use, String id) {
        String path = id == null ? use.path() : use.path().replace("%s", id);
        String body = use.body() == null ? null : id == null ? use.body() : use.body().replace("%s", id);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.url(path)))
                .header("Authorization", "Bearer " + key)
                .method(use.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        return gw.send(request);
    }

    private static String createKey(String name) {
        JsonNode created = json(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"))));
        return created.path("key").asText();
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
