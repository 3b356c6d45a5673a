package dev.switchboard.limits;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-key limits and budgets: set through the admin API, enforced with OpenAI-shaped refusals, shared by instances. */
class LimitsTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "OPENAI_REALTIME_ENABLED", "true"));
        gw.emulator.script("agent-two-rounds", """
                {"tool_calls":[{"name":"math__calculate","arguments":{"expression":"1+1"}},
                               {"name":"math__calculate","arguments":{"expression":"2+2"}}]}""");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void requestsPerMinuteAreCountedAndTheRefusalSaysWhenToComeBack() throws Exception {
        String key = newKey(gw, "{\"requests_per_minute\":2}");
        assertThat(get(gw, key, "/v1/models").statusCode()).isEqualTo(200);
        assertThat(get(gw, key, "/v1/models").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = get(gw, key, "/v1/models");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).path("code").asText()).isEqualTo("requests_per_minute_exceeded");
        assertThat(error(refused).path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(error(refused).path("message").asText()).contains("2 requests per minute");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        // The administrator is never limited, and another key is not affected.
        assertThat(get(gw, gw.clientKey, "/v1/models").statusCode()).isEqualTo(200);
    }

    @Test
    void endpointsAndModelsOutsideTheAllowlistsAreForbidden() throws Exception {
        String key = newKey(gw, "{\"endpoints\":[\"/v1/chat/completions\",\"/v1/realtime\"],\"models\":[\"gpt-4o-mini\"]}");
        HttpResponse<String> endpoint = get(gw, key, "/v1/models");
        assertThat(endpoint.statusCode()).isEqualTo(403);
        assertThat(error(endpoint).path("code").asText()).isEqualTo("endpoint_not_allowed");
        HttpResponse<String> model = chat(gw, key, "gpt-4o", false);
        assertThat(model.statusCode()).isEqualTo(403);
        assertThat(error(model).path("code").asText()).isEqualTo("model_not_allowed_for_key");
        assertThat(error(model).path("param").asText()).isEqualTo("model");
        // Both refusals say what the key may use and who can change that.
        assertThat(error(model).path("message").asText()).isEqualTo("This key may not use the model 'gpt-4o'; it may "
                + "use gpt-4o-mini. Ask the administrator to change its limits.");
        assertThat(error(endpoint).path("message").asText()).endsWith("Ask the administrator to change its limits.");
        assertThat(chat(gw, key, "gpt-4o-mini", false).statusCode()).isEqualTo(200);
        // The WebSocket upgrade is checked too, before it is accepted.
        assertThat(upgradeStatus(gw, key, "gpt-4o")).isEqualTo(400);
        assertThat(upgradeStatus(newKeyQuietly("{\"endpoints\":[\"/v1/chat/completions\"]}"), "gpt-realtime")).isEqualTo(403);
    }

    @Test
    void anAllowedEndpointAllowsItselfAndWhatIsBelowItByWholeSegmentsOnly() throws Exception {
        String key = newKey(gw, "{\"endpoints\":[\"/v1/chat/completions\",\"/v1/files/\",\"/v1/realtime\"]}");
        List<String> lookAlikes = List.of("/v1/chat/completionsX", "/v1/chat/completions-x", "/v1/chat/completions.json",
                "/v1/chat/completions_admin/x", "/v1/filesX", "/v1/files_x/file-abc", "/v1/files.json", "/v1/realtimeX",
                "/v1/realtimeX/models", "/v1/realtime_other/x");
        for (String path : lookAlikes) {
            for (String method : List.of("GET", "POST", "DELETE")) {
                HttpRequest.Builder request = withKey(HttpRequest.newBuilder(URI.create(gw.url(path))), key)
                        .header("Content-Type", "application/json")
                        .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}")
                                : HttpRequest.BodyPublishers.noBody());
                HttpResponse<String> refused = gw.send(request);
                assertThat(refused.statusCode()).as(method + " " + path).isEqualTo(403);
                assertThat(error(refused).path("code").asText()).isEqualTo("endpoint_not_allowed");
            }
        }
        assertThat(gw.emulator.requests()).noneMatch(r -> lookAlikes.contains(r.path()));
        // The endpoints themselves and the paths below them stay allowed, a trailing slash in the allowlist or not.
        assertThat(chat(gw, key, "gpt-4o-mini", false).statusCode()).isEqualTo(200);
        assertThat(get(gw, key, "/v1/files").statusCode()).isEqualTo(200);
        assertThat(get(gw, key, "/v1/files/file-unknown").statusCode()).isEqualTo(404);
        assertThat(error(get(gw, key, "/v1/files/file-unknown")).path("code").asText()).isNotEqualTo("endpoint_not_allowed");
    }

    @Test
    void concurrentStreamsAreLimitedAndFreedWhenAStreamEnds() throws Exception {
        String key = newKey(gw, "{\"concurrent_streams\":1}");
        HttpResponse<InputStream> first = gw.open(withKey(gw.post("/v1/chat/completions", slowStream()), key));
        assertThat(first.statusCode()).isEqualTo(200);
        HttpResponse<String> second = chat(gw, key, "gpt-4o-mini", true);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(error(second).path("code").asText()).isEqualTo("concurrent_streams_exceeded");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        first.body().readAllBytes();
        awaitTrue(() -> chat(gw, key, "gpt-4o-mini", true).statusCode() == 200);
    }

    @Test
    void concurrentRealtimeSessionsAreLimitedBeforeTheUpgrade() throws Exception {
        String key = newKey(gw, "{\"concurrent_realtime_sessions\":1}");
        java.net.http.WebSocket open = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + key)
                .buildAsync(URI.create(gw.url("/v1/realtime?model=gpt-realtime").replaceFirst("^http", "ws")),
                        new java.net.http.WebSocket.Listener() { })
                .join();
        assertThat(upgradeStatus(key, "gpt-realtime")).isEqualTo(429);
        open.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
        awaitTrue(() -> upgradeStatus(key, "gpt-realtime") == 101);
    }

    @Test
    void aUsedUpDailyBudgetRefusesNewRequestsAndEndsARunBetweenResponses() throws Exception {
        String key = newKey(gw, "{\"tokens_per_day\":1}");
        String session = Json.MAPPER.readTree(gw.send(withKey(gw.post("/api/agent/sessions",
                "{\"name\":\"budget\",\"model\":\"agent-two-rounds\",\"tools\":[\"math.calculate\"]}"), key)).body()).path("id").asText();
        // The run's first response uses the budget up: the run ends after it, cleanly, instead of asking for a second.
        long responsesBefore = gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/responses")).count();
        HttpResponse<InputStream> run = gw.open(withKey(gw.post("/api/agent/stream",
                "{\"session_id\":\"" + session + "\",\"input\":\"add up\"}"), key));
        assertThat(run.statusCode()).isEqualTo(200);
        List<SseFrame> frames = new ArrayList<>();
        SseReader reader = new SseReader(run.body());
        for (SseFrame frame; (frame = reader.next()) != null; ) frames.add(frame);
        List<String> events = frames.stream().map(SseFrame::event).toList();
        assertThat(events).containsExactly("error", "done");
        assertThat(frames.get(0).data()).contains("token_budget_exhausted");
        assertThat(gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/responses")).count()).isEqualTo(responsesBefore + 1);
        JsonNode recorded = Json.MAPPER.readTree(gw.send(admin(gw, "/api/admin/agent-sessions/" + session + "/runs").GET()).body())
                .path("data").get(0);
        assertThat(recorded.path("status").asText()).isEqualTo("failed");
        assertThat(recorded.path("upstream_response_ids")).hasSize(1);

        awaitTrue(() -> chat(gw, key, "gpt-4o-mini", false).statusCode() == 429);
        HttpResponse<String> refused = chat(gw, key, "gpt-4o-mini", false);
        assertThat(error(refused).path("code").asText()).isEqualTo("token_budget_exhausted");
        assertThat(error(refused).path("message").asText()).contains("1 tokens per day");
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 86_400L);

        JsonNode shown = Json.MAPPER.readTree(gw.send(admin(gw, "/api/admin/keys/" + keyId(key) + "/limits").GET()).body());
        assertThat(shown.path("tokens_per_day").asLong()).isEqualTo(1);
        assertThat(shown.path("usage").path("tokens_today").asLong()).isPositive();
    }

    @Test
    void assistantsRunsKeepToTheKeysModelsAndAStreamedRunCountsAsAStream() throws Exception {
        gw.emulator.script("assistant-slow", "{\"tokens\":100,\"delay_ms\":30}");
        String key = newKey(gw, "{\"models\":[\"assistant-slow\"],\"concurrent_streams\":1}");
        String allowed = id(post(key, "/v1/assistants", "{\"model\":\"assistant-slow\"}"));
        String other = id(post(key, "/v1/assistants", "{\"model\":\"gpt-4o\"}"));
        String thread = id(post(key, "/v1/threads", "{}"));

        // A run on a model the key may not use (the assistant's, or the run's own) is refused before it starts.
        HttpResponse<String> refused = post(key, "/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + other + "\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(error(refused).path("code").asText()).isEqualTo("model_not_allowed_for_key");
        assertThat(post(key, "/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + allowed + "\",\"model\":\"gpt-4o\"}")
                .statusCode()).isEqualTo(403);
        assertThat(post(key, "/v1/threads/runs", "{\"assistant_id\":\"" + other + "\"}").statusCode()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(get(gw, key, "/v1/threads/" + thread + "/runs").body()).path("data")).isEmpty();

        // A streamed run holds one of the key's concurrent streams while its client reads it; a polled run does not.
        HttpResponse<InputStream> streamed = gw.open(withKey(gw.post("/v1/threads/" + thread + "/runs",
                "{\"assistant_id\":\"" + allowed + "\",\"stream\":true}"), key));
        assertThat(streamed.statusCode()).isEqualTo(200);
        String streamedRun = "{\"assistant_id\":\"" + allowed + "\",\"stream\":true}";
        HttpResponse<String> second = post(key, "/v1/threads/runs", streamedRun);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(error(second).path("code").asText()).isEqualTo("concurrent_streams_exceeded");
        assertThat(post(key, "/v1/threads/runs", "{\"assistant_id\":\"" + allowed + "\"}").statusCode()).isEqualTo(200);
        streamed.body().readAllBytes();
        awaitTrue(() -> post(key, "/v1/threads/runs", streamedRun).statusCode() == 200);
    }

    @Test
    void theAdminApiChecksWhatItIsGiven() throws Exception {
        String key = newKey(gw, "{}");
        HttpResponse<String> bad = gw.send(admin(gw, "/api/admin/keys/" + keyId(key) + "/limits")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"requests_per_minute\":-1}")));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad).path("param").asText()).isEqualTo("requests_per_minute");
        assertThat(gw.send(admin(gw, "/api/admin/keys/" + keyId(key) + "/limits")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"requests_per_hour\":5}"))).statusCode()).isEqualTo(400);
        assertThat(gw.send(admin(gw, "/api/admin/keys/key_unknown/limits").GET()).statusCode()).isEqualTo(404);
        assertThat(gw.send(withKey(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + keyId(key) + "/limits"))), key))
                .statusCode()).isEqualTo(403);
    }

    @Test
    void limitsHoldAcrossInstancesSharingRedis() throws Exception {
        String redis = TestRedis.requireReachable();
        try (TestGateway one = TestGateway.start(Map.of("REDIS_URL", redis));
             TestGateway two = TestGateway.start(Map.of("REDIS_URL", redis))) {
            String key = newKey(one, "{\"requests_per_minute\":2,\"concurrent_streams\":1}");
            assertThat(get(one, key, "/v1/models").statusCode()).isEqualTo(200);
            assertThat(get(two, key, "/v1/models").statusCode()).isEqualTo(200);
            assertThat(get(one, key, "/v1/models").statusCode()).isEqualTo(429);
        }
        try (TestGateway one = TestGateway.start(Map.of("REDIS_URL", redis));
             TestGateway two = TestGateway.start(Map.of("REDIS_URL", redis))) {
            String key = newKey(one, "{\"concurrent_streams\":1}");
            HttpResponse<InputStream> held = one.open(withKey(one.post("/v1/chat/completions", slowStream()), key));
            assertThat(held.statusCode()).isEqualTo(200);
            HttpResponse<String> elsewhere = two.send(withKey(two.post("/v1/chat/completions", slowStream()), key));
            assertThat(elsewhere.statusCode()).isEqualTo(429);
            held.body().close();
        }
    }

    static String newKeyQuietly(String limits) {
        try {
            return newKey(gw, limits);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The HTTP status of a Realtime WebSocket upgrade with this key (101 when it opened). */
    static int upgradeStatus(String key, String model) {
        return upgradeStatus(gw, key, model);
    }

    static int upgradeStatus(TestGateway gateway, String key, String model) {
        try {
            java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + key)
                    .buildAsync(URI.create(gateway.url("/v1/realtime?model=" + model).replaceFirst("^http", "ws")),
                            new java.net.http.WebSocket.Listener() { })
                    .join().abort();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            return ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    /** A new client key with these limits, set through the admin API; the key's secret. */
    static String newKey(TestGateway gateway, String limits) throws Exception {
        JsonNode created = Json.MAPPER.readTree(gateway.send(admin(gateway, "/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"limited\"}"))).body());
        HttpResponse<String> set = gateway.send(admin(gateway, "/api/admin/keys/" + created.path("id").asText() + "/limits")
                .PUT(HttpRequest.BodyPublishers.ofString(limits)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        KEY_IDS.put(created.path("key").asText(), created.path("id").asText());
        return created.path("key").asText();
    }

    private static final Map<String, String> KEY_IDS = new java.util.concurrent.ConcurrentHashMap<>();

    static String keyId(String key) {
        return KEY_IDS.get(key);
    }

    static String slowStream() {
        return "{\"model\":\"gpt-4o-mini;tokens=100;delay_ms=30\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    }

    static HttpResponse<String> chat(TestGateway gateway, String key, String model, boolean stream) {
        return gateway.send(withKey(gateway.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), key));
    }

    static HttpResponse<String> post(String key, String path, String body) {
        return gw.send(withKey(gw.post(path, body), key));
    }

    static String id(HttpResponse<String> created) throws Exception {
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return Json.MAPPER.readTree(created.body()).path("id").asText();
    }

    static HttpResponse<String> get(TestGateway gateway, String key, String path) {
        return gateway.send(withKey(HttpRequest.newBuilder(URI.create(gateway.url(path))), key));
    }

    static HttpRequest.Builder withKey(HttpRequest.Builder request, String key) {
        return request.setHeader("Authorization", "Bearer " + key);
    }

    static HttpRequest.Builder admin(TestGateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url(path))).header("Authorization", "Bearer " + gateway.adminKey)
                .header("Content-Type", "application/json");
    }

    static JsonNode error(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body()).path("error");
    }
}
