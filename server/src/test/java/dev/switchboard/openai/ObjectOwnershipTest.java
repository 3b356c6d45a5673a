package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Gateway;
import dev.switchboard.SseFrames;
import dev.switchboard.TestDatabase;
import dev.switchboard.TestGateway;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 1: responses and conversations belong to the owner whose key created them through the gateway.
 * Another owner's key gets, on every route and in every body field naming one, exactly the answer an unknown id
 * gets; the owner's keys (a rotated one too) keep working, on any instance sharing the database.
 */
class ObjectOwnershipTest {
    private static final String UNKNOWN_RESPONSE = "resp_0000000000000000000000000000unknown";
    private static final String UNKNOWN_CONVERSATION = "conv_0000000000000000000000000000unknown";

    static TestGateway gw;
    static Key a;
    static Key b;

    record Key(String id, String secret) {}

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        gw.emulator.script("own-slow", "{\"tokens\":60,\"delay_ms\":40}");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        a = createKey("owner-a-" + suffix);
        b = createKey("owner-b-" + suffix);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void anotherOwnersResponseIsAnUnknownResponseOnEveryRoute() {
        String done = id(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"mine\"}"));
        String running = id(send(a, "POST", "/v1/responses", "{\"model\":\"own-slow\",\"input\":\"x\",\"background\":true}"));

        for (String[] route : List.of(new String[] {"GET", "/v1/responses/%s"}, new String[] {"GET", "/v1/responses/%s?stream=true"},
                new String[] {"GET", "/v1/responses/%s/input_items"}, new String[] {"POST", "/v1/responses/%s/cancel"},
                new String[] {"DELETE", "/v1/responses/%s"})) {
            String target = route[1].contains("cancel") ? running : done;
            assertSameAsUnknown(route[0], route[1], null, target, UNKNOWN_RESPONSE, 404);
        }
        // Untouched by all that: the owner still reads, streams and cancels them.
        assertThat(send(a, "GET", "/v1/responses/" + done, null).statusCode()).isEqualTo(200);
        assertThat(send(a, "GET", "/v1/responses/" + done + "?stream=true", null).body()).contains("response.completed");
        assertThat(json(send(a, "POST", "/v1/responses/" + running + "/cancel", null)).path("status").asText()).isEqualTo("cancelled");
        assertThat(send(a, "DELETE", "/v1/responses/" + done, null).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherOwnersConversationAndItsItemsAreUnknownOnEveryRoute() {
        String conversation = id(send(a, "POST", "/v1/conversations",
                "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"secret of a\"}]}"));
        String item = json(send(a, "GET", "/v1/conversations/" + conversation + "/items", null)).path("data").get(0)
                .path("id").asText();
        String items = "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"from b\"}]}";

        assertSameAsUnknown("GET", "/v1/conversations/%s", null, conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("POST", "/v1/conversations/%s", "{\"metadata\":{\"by\":\"b\"}}", conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("GET", "/v1/conversations/%s/items", null, conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("POST", "/v1/conversations/%s/items", items, conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("GET", "/v1/conversations/%s/items/" + item, null, conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("DELETE", "/v1/conversations/%s/items/" + item, null, conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("DELETE", "/v1/conversations/%s", null, conversation, UNKNOWN_CONVERSATION, 404);

        JsonNode kept = json(send(a, "GET", "/v1/conversations/" + conversation + "/items", null));
        assertThat(kept.path("data")).hasSize(1);
        assertThat(kept.path("data").get(0).path("id").asText()).isEqualTo(item);
        assertThat(json(send(a, "GET", "/v1/conversations/" + conversation, null)).path("metadata").path("by").isMissingNode()).isTrue();
    }

    @Test
    void bodyFieldsNamingAnotherOwnersObjectsAreAnsweredAsUnknownIds() {
        String response = id(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"first\"}"));
        String conversation = id(send(a, "POST", "/v1/conversations", "{}"));

        // As OpenAI answers an unknown previous_response_id: 400 previous_response_not_found.
        assertSameAsUnknown("POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"previous_response_id\":\"%s\"}",
                response, UNKNOWN_RESPONSE, 400);
        assertThat(json(send(b, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"previous_response_id\":\""
                + response + "\"}")).path("error").path("code").asText()).isEqualTo("previous_response_not_found");
        assertSameAsUnknown("POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"conversation\":\"%s\"}",
                conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"conversation\":{\"id\":\"%s\"}}",
                conversation, UNKNOWN_CONVERSATION, 404);
        assertSameAsUnknown("POST", "/v1/responses",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"stream\":true,\"previous_response_id\":\"%s\"}", response,
                UNKNOWN_RESPONSE, 400);

        assertThat(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"previous_response_id\":\""
                + response + "\"}").statusCode()).isEqualTo(200);
        assertThat(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"conversation\":{\"id\":\""
                + conversation + "\"}}").statusCode()).isEqualTo(200);
        assertThat(json(send(a, "GET", "/v1/conversations/" + conversation + "/items", null)).path("data")).isNotEmpty();

        // A body's id is checked as a path's: a huge one is refused without a lookup and is not echoed back.
        HttpResponse<String> huge = send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\","
                + "\"previous_response_id\":\"resp_" + "9".repeat(100_000) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(json(huge).path("error").path("param").asText()).isEqualTo("previous_response_id");
        assertThat(huge.body().length()).isLessThan(1_000);
    }

    @Test
    void aStreamedResponseIsItsOwnersBeforeTheClientHasItsId() throws Exception {
        HttpResponse<InputStream> streamed = gw.open(HttpRequest.newBuilder(URI.create(gw.url("/v1/responses")))
                .header("Authorization", "Bearer " + a.secret()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"own-slow\",\"input\":\"s\",\"stream\":true}")));
        try (InputStream body = streamed.body()) {
            SseFrame first = new SseReader(body).next();
            assertThat(first.event()).isEqualTo("response.created");
            String id = SseFrames.json(first).path("response").path("id").asText();

            // While the stream goes on: the id is its owner's from the moment the client has it.
            assertThat(send(a, "GET", "/v1/responses/" + id, null).statusCode()).isEqualTo(200);
            assertSameAsUnknown("GET", "/v1/responses/%s", null, id, UNKNOWN_RESPONSE, 404);
        }
    }

    @Test
    void anIdTheGatewayNeverSawCreatedIsNobodys() {
        // Made at OpenAI directly (here: at the emulator, with the upstream key): no gateway key may use it.
        HttpResponse<String> direct = gw.send(HttpRequest.newBuilder(URI.create(gw.emulator.baseUrl() + "/responses"))
                .header("Authorization", "Bearer " + TestGateway.UPSTREAM_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"input\":\"direct\"}")));
        String id = id(direct);
        assertSameAsUnknown("GET", "/v1/responses/%s", null, id, UNKNOWN_RESPONSE, 404);
        HttpResponse<String> byA = send(a, "GET", "/v1/responses/" + id, null);
        assertThat(byA.statusCode()).isEqualTo(404);
        // Nor does an admin key see other owners' objects: it administers the gateway, not their data.
        HttpResponse<String> byAdmin = send(new Key(null, gw.adminKey), "GET",
                "/v1/responses/" + id(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\"}")), null);
        assertThat(byAdmin.statusCode()).isEqualTo(404);
    }

    @Test
    void aRotatedKeyKeepsItsOwnersObjects() {
        Key c = createKey("owner-c-" + UUID.randomUUID().toString().substring(0, 8));
        String response = id(send(c, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"before rotation\"}"));
        JsonNode rotated = json(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + c.id() + "/rotate")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"overlap_seconds\":0}"))));
        Key successor = new Key(rotated.path("id").asText(), rotated.path("key").asText());

        assertThat(send(successor, "GET", "/v1/responses/" + response, null).statusCode()).isEqualTo(200);
        assertSameAsUnknown("GET", "/v1/responses/%s", null, response, UNKNOWN_RESPONSE, 404);
    }

    @Test
    void ownershipHoldsOnASecondInstanceSharingTheDatabase() throws IOException {
        String onFirst = id(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"on the first\"}"));
        String conversation = id(send(a, "POST", "/v1/conversations", "{}"));
        try (Gateway second = Gateway.start(SettingsLoader.load(Map.of("OPENAI_API_KEY", TestGateway.UPSTREAM_KEY,
                "OPENAI_BASE_URL", gw.emulator.baseUrl(), "DATABASE_URL", TestDatabase.sharedUrl(), "SWITCHBOARD_PORT", "0"),
                Optional.empty()))) {
            String base = "http://127.0.0.1:" + second.port();
            assertThat(send(base, a, "GET", "/v1/responses/" + onFirst, null).statusCode()).isEqualTo(200);
            assertThat(send(base, a, "GET", "/v1/conversations/" + conversation, null).statusCode()).isEqualTo(200);
            HttpResponse<String> foreign = send(base, b, "GET", "/v1/responses/" + onFirst, null);
            HttpResponse<String> unknown = send(base, b, "GET", "/v1/responses/" + UNKNOWN_RESPONSE, null);
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(foreign.body()).isEqualTo(unknown.body().replace(UNKNOWN_RESPONSE, onFirst));
            assertThat(send(base, b, "GET", "/v1/conversations/" + conversation, null).statusCode()).isEqualTo(404);

            // And the other way: made on the second, known on the first (which has not seen it yet).
            String onSecond = id(send(base, b, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"on the second\"}"));
            assertThat(send(b, "GET", "/v1/responses/" + onSecond, null).statusCode()).isEqualTo(200);
            assertThat(send(a, "GET", "/v1/responses/" + onSecond, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void anotherOwnersResponseItemsCannotBeReferencedById() {
        JsonNode answered = json(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"secret words\"}"));
        String answeredItem = answered.path("output").get(0).path("id").asText();
        String streamed = send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"stream\":true}").body();
        String streamedItem = streamed.replaceAll("(?s).*\"type\":\"response.output_item.done\".*?\"item\":\\{[^}]*?\"id\":\"([^\"]+)\".*", "$1");
        assertThat(streamedItem).startsWith("msg_");
        String conversation = id(send(b, "POST", "/v1/conversations", "{}"));
        for (String item : List.of(answeredItem, streamedItem)) {
            for (String[] request : List.of(
                    new String[] {"/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":[{\"type\":\"item_reference\",\"id\":\"%s\"}]}"},
                    new String[] {"/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":[{\"id\":\"%s\"}]}"},
                    new String[] {"/v1/responses", "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"input\":[{\"role\":\"user\","
                            + "\"content\":\"repeat it\"},{\"type\":\"item_reference\",\"id\":\"%s\"}]}"},
                    new String[] {"/v1/conversations/" + conversation + "/items", "{\"items\":[{\"type\":\"item_reference\",\"id\":\"%s\"}]}"},
                    new String[] {"/v1/future_things", "{\"deep\":{\"list\":[{\"type\":\"item_reference\",\"id\":\"%s\"}]}}"})) {
                int before = gw.emulator.requests().size();
                HttpResponse<String> refused = send(b, "POST", request[0], request[1].formatted(item));
                assertThat(refused.statusCode()).as(request[0] + " " + refused.body()).isEqualTo(404);
                assertThat(json(refused).path("error").path("message").asText()).isEqualTo("Item with id '" + item + "' not found.");
                assertThat(gw.emulator.requests()).as("B's reference never reached OpenAI").hasSize(before);
            }
        }
        // The owner references its own items.
        for (String item : List.of(answeredItem, streamedItem)) {
            int before = gw.emulator.requests().size();
            send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":[{\"type\":\"item_reference\",\"id\":\"" + item + "\"}]}");
            assertThat(gw.emulator.requests()).hasSize(before + 1);
        }
    }

    @Test
    void aFieldGivenTwiceIsRefusedSoTheIdJudgedIsTheIdForwarded() {
        String theirs = id(send(a, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"a's\"}"));
        String mine = id(send(b, "POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"b's\"}"));
        for (String[] request : List.of(
                new String[] {"/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"previous_response_id\":\"%s\","
                        + "\"previous_response_id\":\"%s\"}"},
                new String[] {"/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"stream\":true,"
                        + "\"previous_response_id\":\"%s\",\"previous_response_id\":\"%s\"}"},
                new String[] {"/v1/future_things", "{\"nested\":{\"previous_response_id\":\"%s\",\"previous_response_id\":\"%s\"}}"})) {
            int before = gw.emulator.requests().size();
            HttpResponse<String> refused = send(b, "POST", request[0], request[1].formatted(theirs, mine));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(json(refused).path("error").path("code").asText()).isEqualTo("invalid_json");
            assertThat(json(refused).path("error").path("message").asText()).contains("previous_response_id").doesNotContain(theirs);
            assertThat(gw.emulator.requests()).hasSize(before);
        }
    }

    /** B's request naming A's object is answered byte for byte as the same request naming an unknown id. */
    private static void assertSameAsUnknown(String method, String pathTemplate, String bodyTemplate, String owned,
                                            String unknownId, int status) {
        boolean inPath = pathTemplate.contains("%s");
        HttpResponse<String> foreign = send(b, method, inPath ? pathTemplate.formatted(owned) : pathTemplate,
                bodyTemplate == null ? null : inPath ? bodyTemplate : bodyTemplate.formatted(owned));
        HttpResponse<String> unknown = send(b, method, inPath ? pathTemplate.formatted(unknownId) : pathTemplate,
                bodyTemplate == null ? null : inPath ? bodyTemplate : bodyTemplate.formatted(unknownId));
        String what = method + " " + pathTemplate + " " + bodyTemplate;
        assertThat(unknown.statusCode()).as(what + ": " + unknown.body()).isEqualTo(status);
        assertThat(foreign.statusCode()).as(what + ": " + foreign.body()).isEqualTo(status);
        assertThat(foreign.headers().firstValue("Content-Type")).as(what).isEqualTo(unknown.headers().firstValue("Content-Type"));
        assertThat(foreign.body()).as(what).isEqualTo(unknown.body().replace(unknownId, owned));
        assertThat(json(foreign).path("error").path("message").asText()).as(what).contains(owned);
    }

    private static Key createKey(String name) {
        JsonNode created = json(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"))));
        return new Key(created.path("id").asText(), created.path("key").asText());
    }

    private static HttpResponse<String> send(Key key, String method, String path, String body) {
        return send("http://127.0.0.1:" + gw.gateway.port(), key, method, path, body);
    }

    private static HttpResponse<String> send(String base, Key key, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key.secret())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        return gw.send(request);
    }

    private static String id(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).path("id").asText();
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
