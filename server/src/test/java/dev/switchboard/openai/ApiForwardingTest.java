package dev.switchboard.openai;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.HttpResponse;
import com.openai.models.audio.speech.SpeechCreateParams;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Paths the gateway has no route of its own for reach OpenAI (the emulator) with the server's key, as they were sent;
 * the gateway's own routes win; the paths that would hand out a way around the gateway are refused and never sent.
 */
class ApiForwardingTest {
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
    void theOfficialSdkGetsSpeechThroughAnEndpointTheGatewayHasNoRouteFor() throws Exception {
        byte[] viaGateway;
        try (HttpResponse speech = gw.sdk().audio().speech().create(SpeechCreateParams.builder().model("gpt-4o-mini-tts")
                .input("four words of speech").voice(SpeechCreateParams.Voice.ofString("alloy"))
                .responseFormat(SpeechCreateParams.ResponseFormat.WAV).build())) {
            assertThat(speech.statusCode()).isEqualTo(200);
            assertThat(speech.headers().values("Content-Type")).contains("audio/wav");
            try (InputStream body = speech.body()) {
                viaGateway = body.readAllBytes();
            }
        }
        var sent = lastUpstreamRequest("/v1/audio/speech");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + TestGateway.UPSTREAM_KEY);
        assertThat(sent.header("X-Client-Request-Id")).startsWith("sbreq_");
        // The same bytes as OpenAI's (the emulator's) own answer, asked for directly with the server's key.
        byte[] direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.emulator.baseUrl() + "/audio/speech"))
                .header("Authorization", "Bearer " + TestGateway.UPSTREAM_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini-tts\",\"input\":\"four words of speech\","
                        + "\"voice\":\"alloy\",\"response_format\":\"wav\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(viaGateway).hasSizeGreaterThan(44).isEqualTo(direct);
    }

    @Test
    void anUnknownPathIsForwardedWithItsMethodAndQueryAndUpstreamsAnswerComesBack() throws Exception {
        for (String method : List.of("GET", "POST", "DELETE", "PUT", "PATCH")) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.url("/v1/not_yet_released/thing-1/sub?a=1&b=two%20words")))
                    .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "application/json")
                    .header("OpenAI-Beta", "future=v1").header("X-Private", "not-forwarded")
                    .method(method, method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"x\":1}"));
            var answer = gw.send(request);
            // The emulator knows no such path: its own 404 comes back as it is.
            assertThat(answer.statusCode()).as(method + " " + answer.body()).isEqualTo(404);
            assertThat(Json.MAPPER.readTree(answer.body()).path("error").path("message").asText()).contains("/v1/not_yet_released/thing-1/sub");
            var sent = lastUpstreamRequest("/v1/not_yet_released/thing-1/sub");
            assertThat(sent.method()).isEqualTo(method);
            assertThat(sent.query()).isEqualTo("a=1&b=two%20words");
            assertThat(sent.header("OpenAI-Beta")).isEqualTo("future=v1");
            assertThat(sent.header("X-Private")).isNull();
            assertThat(sent.header("Authorization")).isEqualTo("Bearer " + TestGateway.UPSTREAM_KEY);
            if (!method.equals("GET") && !method.equals("DELETE")) assertThat(sent.body()).isEqualTo("{\"model\":\"gpt-4o-mini\",\"x\":1}");
        }
    }

    @Test
    void theGatewaysOwnRoutesWinOverTheCatchAll() throws Exception {
        int before = gw.emulator.requests().size();
        // Assistants are the gateway's: a list of its own, never OpenAI's.
        var assistants = gw.send(gw.get("/v1/assistants"));
        assertThat(assistants.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(assistants.body()).path("object").asText()).isEqualTo("list");
        // A path in the gateway's own families that no route of it answers is unknown here, not sent to OpenAI.
        assertError(gw.send(gw.get("/v1/assistants/asst_1/unknown")), 404, "unknown_url");
        assertError(gw.send(gw.get("/v1/Threads/thread_1")), 404, "unknown_url");
        assertError(gw.send(gw.get("/v1/streams")), 404, "unknown_url");
        assertThat(gw.emulator.requests()).hasSize(before);
        // The catch-all is each method's last route: Javalin answers with the first that matches.
        List<String> routes = gw.gateway.routes().stream().filter(r -> !r.equals("GET /v1/realtime")).toList();
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            assertThat(routes.stream().filter(r -> r.startsWith(method + " ")).reduce((a, b) -> b).orElseThrow())
                    .isEqualTo(method + " " + ApiForwarding.PATH);
        }
    }

    @Test
    void pathsThatMintACredentialOrAdministerTheOrganizationAreRefusedAndNeverSent() throws Exception {
        int before = gw.emulator.requests().size();
        String[][] refused = {
                {"POST", "/v1/realtime/client_secrets", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/translations/client_secrets", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/sessions", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/transcription_sessions", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/calls", RefusedPaths.REALTIME_CALL},
                {"POST", "/v1/chatkit/sessions", RefusedPaths.CLIENT_SECRET},
                {"GET", "/v1/organization/admin_api_keys", RefusedPaths.ADMIN_API},
                {"POST", "/v1/organization/projects/proj_1/service_accounts", RefusedPaths.ADMIN_API},
                {"GET", "/v1/projects/proj_1/api_keys", RefusedPaths.ADMIN_API},
                // Other spellings of the same paths are the same paths, or refused as paths no client needs.
                {"POST", "/v1/Realtime/Client_Secrets", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/client_secrets/", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/client_secrets/anything", RefusedPaths.CLIENT_SECRET},
                {"POST", "/v1/realtime/client%5Fsecrets", "invalid_path"},
                {"POST", "/v1/realtime/./client_secrets", "invalid_path"},
                {"POST", "/v1/files/../realtime/client_secrets", "invalid_path"},
                {"POST", "/v1/realtime%2Fclient_secrets", "invalid_path"},
        };
        for (String[] path : refused) {
            var answer = gw.send(HttpRequest.newBuilder(URI.create(gw.url(path[1])))
                    .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "application/json")
                    .method(path[0], path[0].equals("GET") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString("{\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\"}}")));
            if (path[2].equals("invalid_path")) {
                assertThat(answer.statusCode()).as(path[1]).isEqualTo(400);
                continue;
            }
            JsonNode error = assertError(answer, 403, path[2]);
            assertThat(error.path("type").asText()).isEqualTo("permission_error");
            assertThat(error.path("message").asText()).as(path[1]).containsAnyOf("/api/realtime/", "/api/chatkit/", "/api/admin/keys");
        }
        assertThat(gw.emulator.requests()).as("nothing refused reached OpenAI").hasSize(before);
        // The official SDK's client secret call gets the same refusal.
        var sdkError = org.assertj.core.api.Assertions.catchThrowableOfType(com.openai.errors.PermissionDeniedException.class,
                () -> gw.sdk().realtime().clientSecrets().create(com.openai.models.realtime.clientsecrets.ClientSecretCreateParams.builder().build()));
        assertThat(sdkError.statusCode()).isEqualTo(403);
        assertThat(sdkError.getMessage()).contains("/api/realtime/tokens");
        assertThat(gw.emulator.requests()).hasSize(before);
    }

    @Test
    void hostilePathsNeverLeaveV1Upstream() throws Exception {
        int before = gw.emulator.requests().size();
        // Line breaks, NUL and encoded slashes are refused by the server or by the path check, always as JSON.
        for (String path : List.of("/v1/files%0D%0AX-Injected:%201", "/v1/files%00", "/v1/files/..%2F..%2Fadmin",
                "/v1/files/a%2Fb", "/v1/files/%2E%2E/%2E%2E/%2E%2E/etc", "/v1/a%20b", "/v1//files", "/v1/files/%25")) {
            var answer = gw.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.clientKey));
            assertThat(answer.statusCode()).as(path).isBetween(400, 404);
            assertThat(answer.headers().firstValue("Content-Type").orElse("")).as(path).contains("application/json");
            assertThat(Json.MAPPER.readTree(answer.body()).path("error").isObject()).as(path).isTrue();
        }
        // A query string that would break the request line is refused; one past the server's header limit too.
        var hugeQuery = gw.send(gw.get("/v1/files?after=" + "a".repeat(100_000)));
        assertThat(hugeQuery.statusCode()).isIn(400, 414, 431);
        assertThat(Json.MAPPER.readTree(hugeQuery.body()).path("error").isObject()).isTrue();
        assertThat(gw.emulator.requests()).as("nothing hostile reached OpenAI").hasSize(before);
        // An escaped character ids may hold is sent as that character, the only spelling upstream then sees.
        var escaped = gw.send(gw.get("/v1/fine_tuning/checkpoints/ft%3Agpt-4o-mini%3Aorg%3A%3Aabc/permissions?limit=1"));
        assertThat(escaped.statusCode()).isEqualTo(404);
        assertThat(gw.emulator.requests().getLast().path()).isEqualTo("/v1/fine_tuning/checkpoints/ft:gpt-4o-mini:org::abc/permissions");
    }

    @Test
    void aRevokedKeyIsRefusedBeforeAnythingIsForwarded() throws Exception {
        var made = gw.gateway.keys().create("forward-revoked", null, false);
        gw.gateway.keys().revoke(made.key().id());
        int before = gw.emulator.requests().size();
        var answer = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/audio/speech")))
                .header("Authorization", "Bearer " + made.secret()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini-tts\",\"input\":\"x\",\"voice\":\"alloy\"}")));
        assertError(answer, 401, "invalid_api_key");
        assertThat(gw.emulator.requests()).hasSize(before);
    }

    @Test
    void aChatCompletionMadeThroughTheGatewaysRouteIsItsOwnersWhenReadThroughTheForwardedOnes() throws Exception {
        String alice = gw.gateway.keys().create("chat-alice", "chat-alice", false).secret();
        String bob = gw.gateway.keys().create("chat-bob", "chat-bob", false).secret();
        for (boolean stream : new boolean[] {false, true}) {
            var made = gw.send(gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"store\":true,\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").setHeader("Authorization", "Bearer " + alice));
            assertThat(made.statusCode()).isEqualTo(200);
            String id = stream ? Json.MAPPER.readTree(made.body().lines().filter(l -> l.startsWith("data: {")).findFirst()
                    .orElseThrow().substring(6)).path("id").asText() : Json.MAPPER.readTree(made.body()).path("id").asText();
            assertThat(id).startsWith("chatcmpl");
            int before = gw.emulator.requests().size();
            var bobs = gw.send(gw.get("/v1/chat/completions/" + id).setHeader("Authorization", "Bearer " + bob));
            assertThat(bobs.statusCode()).isEqualTo(404);
            assertThat(gw.emulator.requests()).as("another owner's read never reaches OpenAI").hasSize(before);
            gw.send(gw.get("/v1/chat/completions/" + id).setHeader("Authorization", "Bearer " + alice));
            assertThat(gw.emulator.requests().getLast().path()).as("the owner's read is forwarded").isEqualTo("/v1/chat/completions/" + id);
        }
    }

    @Test
    void anEndpointIsNamedWithoutItsIds() {
        assertThat(ApiPaths.endpointName("/v1/files/file-abc123/content")).isEqualTo("/v1/files/{id}/content");
        assertThat(ApiPaths.endpointName("/v1/vector_stores/vs_68a1/file_batches/vsfb_9/files"))
                .isEqualTo("/v1/vector_stores/{id}/file_batches/{id}/files");
        assertThat(ApiPaths.endpointName("/v1/fine_tuning/jobs/ftjob-x1/checkpoints")).isEqualTo("/v1/fine_tuning/jobs/{id}/checkpoints");
        assertThat(ApiPaths.endpointName("/v1/models/ft:gpt-4o-mini:org::abc")).isEqualTo("/v1/models/{id}");
        assertThat(ApiPaths.endpointName("/v1/embeddings")).isEqualTo("/v1/embeddings");
    }

    private static dev.switchboard.emulator.RecordedRequest lastUpstreamRequest(String path) throws InterruptedException {
        dev.switchboard.Await.until(Duration.ofSeconds(5), () -> gw.emulator.requests().stream().anyMatch(r -> r.path().equals(path)));
        return gw.emulator.requests().stream().filter(r -> r.path().equals(path)).reduce((a, b) -> b).orElseThrow();
    }
}
