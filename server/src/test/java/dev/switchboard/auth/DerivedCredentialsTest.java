package dev.switchboard.auth;

import static dev.switchboard.ErrorAssertions.assertError;
import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 3: every credential a key mints (a run's stream token, a Realtime token, a Realtime client secret,
 * an agent voice session's client secret, a document's signed URL) ends with the key: when it is revoked, and when
 * its rotation overlap ends, on every instance. Two gateways share one database; credentials are minted on one and
 * presented to the other, which has the key in its cache.
 */
class DerivedCredentialsTest {
    private static final Map<String, String> ENV = Map.of("OPENAI_REALTIME_ENABLED", "true");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static TestGateway minting;
    static TestGateway other;

    @BeforeAll
    static void start() {
        minting = TestGateway.start(ENV);
        other = TestGateway.start(ENV);
    }

    @AfterAll
    static void stop() {
        other.close();
        minting.close();
    }

    /** One of each kind of credential, minted on {@link #minting} with {@code key}. */
    record Minted(String runUrl, String realtimeToken, String clientSecret, String voiceSecret, String documentUrl) {}

    @Test
    void everyCredentialOfARevokedKeyIsRefusedOnEveryInstance() throws Exception {
        JsonNode key = createKey("derived-revoked");
        String secret = key.path("key").asText();
        Minted used = mintAll(secret);
        Minted kept = mintAll(secret);
        // The other instance verifies the key and its credentials, and so remembers the key.
        assertAllAccepted(other, used);

        assertThat(minting.send(admin(minting, "/api/admin/keys/" + key.path("id").asText()).DELETE()).statusCode()).isEqualTo(200);

        // As soon as the key itself is refused there (the NOTIFY path), so is everything it minted.
        within5s(() -> status(other, "/v1/models", secret) == 401);
        assertAllRefused(other, kept);
        assertAllRefused(minting, kept);
    }

    @Test
    void everyCredentialOfARotatedKeyEndsWithItsOverlapOnEveryInstance() throws Exception {
        JsonNode key = createKey("derived-rotated");
        String secret = key.path("key").asText();
        Minted used = mintAll(secret);
        Minted kept = mintAll(secret);
        assertAllAccepted(other, used);

        long overlapSeconds = 3;
        HttpResponse<String> rotated = minting.send(admin(minting, "/api/admin/keys/" + key.path("id").asText() + "/rotate")
                .POST(HttpRequest.BodyPublishers.ofString("{\"overlap_seconds\":" + overlapSeconds + "}")));
        assertThat(rotated.statusCode()).isEqualTo(201);
        long endsAt = Json.MAPPER.readTree(rotated.body()).path("replaced_key_expires_at").asLong();
        // Reusable credentials still work in the overlap (the single-use ones are kept for after it).
        assertThat(status(other, kept.runUrl(), null)).isEqualTo(200);
        assertThat(status(other, kept.documentUrl(), null)).isEqualTo(200);

        while (System.currentTimeMillis() / 1000 <= endsAt) Thread.sleep(100);
        awaitTrue(() -> status(other, "/v1/models", secret) == 401);
        assertAllRefused(other, kept);
    }

    private static Minted mintAll(String key) throws Exception {
        String assistant = post(minting, key, "/v1/assistants", "{\"model\":\"gpt-4o-mini\"}").path("id").asText();
        String thread = post(minting, key, "/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .path("id").asText();
        String run = post(minting, key, "/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + assistant + "\"}")
                .path("id").asText();
        String runUrl = post(minting, key, "/api/v1/openai-realtime/" + thread + "/" + run + "/token", "{}").path("url").asText();
        // Read once where it was minted, so the run has ended before another instance replays it.
        assertThat(status(minting, runUrl, null)).isEqualTo(200);

        String realtimeToken = post(minting, key, "/api/realtime/tokens", "{}").path("token").asText();
        String clientSecret = post(minting, key, "/api/realtime/session", "{\"method\":\"client_secret\"}")
                .path("client_secret").path("value").asText();
        String agent = post(minting, key, "/api/agent/sessions", "{\"model\":\"gpt-4o-mini\",\"instructions\":\"Be brief.\"}")
                .path("id").asText();
        String voiceSecret = post(minting, key, "/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}")
                .path("client_secret").path("value").asText();

        HttpResponse<String> uploaded = minting.send(HttpRequest.newBuilder(URI.create(minting.url("/api/documents")))
                .header("Authorization", "Bearer " + key).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(dev.switchboard.documents.DocumentOcrTestSupport.pngWithText("x"))));
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        String documentUrl = Json.MAPPER.readTree(uploaded.body()).path("url").asText();
        for (String credential : new String[] {realtimeToken, clientSecret, voiceSecret}) assertThat(credential).startsWith("sbt_");
        return new Minted(runUrl, realtimeToken, clientSecret, voiceSecret, documentUrl);
    }

    private static void assertAllAccepted(TestGateway gateway, Minted minted) {
        assertThat(status(gateway, minted.runUrl(), null)).isEqualTo(200);
        assertThat(status(gateway, minted.documentUrl(), null)).isEqualTo(200);
        assertThat(upgrade(gateway, minted.realtimeToken(), true)).isEqualTo(101);
        assertThat(upgrade(gateway, minted.clientSecret(), false)).isEqualTo(101);
        assertThat(upgrade(gateway, minted.voiceSecret(), true)).isEqualTo(101);
    }

    /** OpenAI-shaped 401s over HTTP, and refused upgrades (no socket) for the Realtime credentials. */
    private static void assertAllRefused(TestGateway gateway, Minted minted) {
        assertError(gateway.send(HttpRequest.newBuilder(URI.create(gateway.url(minted.runUrl())))), 401, "invalid_stream_token");
        assertError(gateway.send(HttpRequest.newBuilder(URI.create(gateway.url(minted.documentUrl())))), 401, "key_revoked");
        assertThat(upgrade(gateway, minted.realtimeToken(), true)).as("Realtime token").isEqualTo(401);
        assertThat(upgrade(gateway, minted.clientSecret(), false)).as("client secret").isEqualTo(401);
        assertThat(upgrade(gateway, minted.voiceSecret(), true)).as("voice session secret").isEqualTo(401);
    }

    /** The status of a Realtime upgrade with a gateway token, in the browsers' subprotocol or as a bearer. */
    private static int upgrade(TestGateway gateway, String token, boolean subprotocol) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (subprotocol) builder.subprotocols("realtime", "openai-insecure-api-key." + token);
        else builder.header("Authorization", "Bearer " + token);
        try {
            builder.buildAsync(URI.create("ws://127.0.0.1:" + gateway.gateway.port() + "/v1/realtime?model=gpt-realtime"),
                    new WebSocket.Listener() {}).join().abort();
            return 101;
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    private static JsonNode createKey(String name) throws Exception {
        HttpResponse<String> created = minting.send(admin(minting, "/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")));
        assertThat(created.statusCode()).isEqualTo(201);
        return Json.MAPPER.readTree(created.body());
    }

    private static JsonNode post(TestGateway gateway, String key, String path, String json) throws Exception {
        HttpResponse<String> response = gateway.send(HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
        assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(200, 201);
        return Json.MAPPER.readTree(response.body());
    }

    private static int status(TestGateway gateway, String path, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)));
        if (key != null) request.header("Authorization", "Bearer " + key);
        return gateway.send(request).statusCode();
    }

    private static HttpRequest.Builder admin(TestGateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url(path))).header("Authorization", "Bearer " + gateway.adminKey)
                .header("Content-Type", "application/json");
    }

    /** A revocation's notification arrives within milliseconds; a generous moment for the condition to hold. */
    private static void within5s(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(condition.getAsBoolean()).as("within 5 s").isTrue();
    }
}
