package dev.switchboard.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.auth.Caller;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 11: every refused WebSocket upgrade answers its status with an OpenAI-shaped JSON body, and sets no
 * session cookie. Each refusal is a hand-written upgrade request over a plain socket, so what is read is what was
 * sent.
 */
class UpgradeRefusalsTest {
    static final String REFUSED_UPSTREAM = "gpt-realtime;fail=503";
    static TestGateway gw;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_REALTIME_MODELS", "gpt-realtime," + REFUSED_UPSTREAM));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aMissingOrWrongKeyIsRefusedWithABody() throws Exception {
        assertRefused(upgrade("gpt-realtime"), 401, "missing_api_key");
        assertRefused(upgrade("gpt-realtime", "Authorization", "Bearer sb-forged-key"), 401, "invalid_api_key");
        assertRefused(upgrade("gpt-realtime", "Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key.sb-forged-key"),
                401, "invalid_api_key");
    }

    @Test
    void aUsedOrExpiredTokenIsRefusedWithABody() throws Exception {
        String token = mintToken();
        try (var client = RealtimeRelayTest.Client.connect(gw, "gpt-realtime", List.of(),
                List.of("realtime", "openai-insecure-api-key." + token))) {
            client.next("session.created");
        }
        assertRefused(upgrade("gpt-realtime", "Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key." + token),
                401, "token_already_used");

        Caller caller = gw.gateway.keys().authenticate(gw.clientKey).orElseThrow();
        String expired = new StreamTokens(gw.gateway.database().jdbi(), gw.gateway.keys())
                .issue(caller, RealtimeRelay.TOKEN_SCOPE + ":0123456789abcdef", System.currentTimeMillis() / 1000 - 60);
        assertRefused(upgrade("gpt-realtime", "Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key." + expired),
                401, "invalid_stream_token");
    }

    @Test
    void aModelNotOfferedIsRefusedWithABody() throws Exception {
        JsonNode error = assertRefused(upgrade("gpt-4o-mini", "Authorization", "Bearer " + gw.clientKey), 400, "model_not_allowed");
        assertThat(error.path("param").asText()).isEqualTo("model");
    }

    @Test
    void aKeyOverItsLimitsIsRefusedWithABody() throws Exception {
        String key = keyWithLimits("{\"endpoints\":[\"/v1/chat/completions\"]}");
        assertRefused(upgrade("gpt-realtime", "Authorization", "Bearer " + key), 403, "endpoint_not_allowed");

        String limited = keyWithLimits("{\"requests_per_minute\":1}");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models")))
                .header("Authorization", "Bearer " + limited).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        RawUpgrade refused = upgrade("gpt-realtime", "Authorization", "Bearer " + limited);
        assertRefused(refused, 429, "requests_per_minute_exceeded");
        assertThat(refused.header("Retry-After")).isNotNull();
    }

    @Test
    void openAiRefusingTheSessionIsRefusedWithABody() throws Exception {
        assertRefused(upgrade(REFUSED_UPSTREAM, "Authorization", "Bearer " + gw.clientKey), 503, "realtime_upstream_refused");
    }

    @Test
    void realtimeTurnedOffIsRefusedWithABody() throws Exception {
        try (TestGateway off = TestGateway.start(Map.of())) {
            RawUpgrade refused = RawUpgrade.send(off.gateway.port(), "/v1/realtime?model=gpt-realtime",
                    "Authorization", "Bearer " + off.clientKey);
            assertRefused(refused, 403, "realtime_disabled");
        }
    }

    @Test
    void anAcceptedUpgradeSetsNoCookieEither() throws Exception {
        RawUpgrade accepted = upgrade("gpt-realtime", "Authorization", "Bearer " + gw.clientKey);
        assertThat(accepted.status()).isEqualTo(101);
        assertNoCookie(accepted);
    }

    static RawUpgrade upgrade(String model, String... headers) throws Exception {
        return RawUpgrade.send(gw.gateway.port(), "/v1/realtime?model=" + java.net.URLEncoder.encode(model,
                java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    static JsonNode assertRefused(RawUpgrade answer, int status, String code) throws Exception {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(answer.toString()).startsWith("application/json");
        JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
        assertThat(error.isObject()).as(answer.body()).isTrue();
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(answer.header("Upgrade")).isNull();
        assertNoCookie(answer);
        return error;
    }

    static void assertNoCookie(RawUpgrade answer) {
        assertThat(answer.headers()).as(answer.toString()).doesNotContainKey("set-cookie");
        assertThat(answer.headers().toString()).doesNotContain("JSESSIONID");
    }

    static String mintToken() throws Exception {
        HttpResponse<String> minted = HTTP.send(HttpRequest.newBuilder(URI.create(gw.url("/api/realtime/tokens")))
                .header("Authorization", "Bearer " + gw.clientKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(minted.body()).path("token").asText();
    }

    static String keyWithLimits(String limits) throws Exception {
        HttpRequest.Builder admin = HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json");
        JsonNode created = Json.MAPPER.readTree(HTTP.send(admin.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"limited\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        HttpResponse<String> set = HTTP.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + created.path("id").asText() + "/limits")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(limits)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return created.path("key").asText();
    }
}
