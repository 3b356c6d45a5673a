package dev.switchboard.realtime;

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
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Realtime WebSocket relay, end to end: a WebSocket client, the gateway, and the emulator's Realtime API. */
class RealtimeRelayTest {
    static TestGateway gw;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_DEBUG_EVENTS", "true",
                "OPENAI_REALTIME_TURN_SERVERS", "[{\"urls\":\"turn:turn.example.com:3478\",\"username\":\"u\",\"credential\":\"c\"}]"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aTextTurnIsRelayedBothWaysAndAccounted() throws Exception {
        // The only test here on this model, so its request_log row is the one with this model.
        try (Client client = Client.connect(gw, "gpt-realtime-mini", List.of("Authorization", "Bearer " + gw.clientKey), List.of())) {
            assertThat(client.next("session.created").path("session").path("model").asText()).isEqualTo("gpt-realtime-mini");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
            client.next("session.updated");
            client.send("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(new byte[4800]) + "\"}");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"relay me\"}]}}");
            client.send("{\"type\":\"response.create\"}");
            StringBuilder text = new StringBuilder();
            JsonNode event;
            do {
                event = client.next(null);
                if (event.path("type").asText().equals("response.output_text.delta")) text.append(event.path("delta").asText());
            } while (!event.path("type").asText().equals("response.done"));
            assertThat(text.toString()).isEqualTo("Echo: relay me");
            assertThat(gw.emulator.realtimeSessions()).isEqualTo(1);
        }
        awaitTrue(() -> gw.emulator.realtimeSessions() == 0);

        Map<String, Object> row = awaitRow("select * from request_log where endpoint = '/v1/realtime' and model = ?",
                "gpt-realtime-mini");
        String requestId = (String) row.get("request_id");
        assertThat(row.get("outcome")).isEqualTo("completed");
        assertThat((Long) row.get("output_tokens")).isEqualTo(3L);
        assertThat((Long) row.get("total_tokens")).isPositive();

        awaitTrue(() -> count("select count(*) from openai_debug_events where kind = 'realtime_event' and request_id like ?",
                requestId + ":%") >= 10);
        String appended = (String) awaitRow("select payload::text as p from openai_debug_events where request_id like ? "
                + "and endpoint = '/v1/realtime client input_audio_buffer.append'", requestId + ":%").get("p");
        assertThat(appended).contains("[audio elided: 4800 bytes]").doesNotContain("AAAA");
        assertThat(count("select count(*) from openai_debug_events where payload::text like ?", "%" + gw.clientKey + "%")).isZero();
    }

    @Test
    void browsersUseAGatewayTokenInTheSubprotocol() throws Exception {
        HttpResponse<String> minted = HTTP.send(HttpRequest.newBuilder(URI.create(gw.url("/api/realtime/tokens")))
                .header("Authorization", "Bearer " + gw.clientKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(minted.statusCode()).isEqualTo(200);
        String token = Json.MAPPER.readTree(minted.body()).path("token").asText();
        assertThat(token).startsWith("sbt_");
        assertThat(handshakeStatus(gw, "gpt-4o", List.of(), List.of("realtime", "openai-insecure-api-key." + token)))
                .as("a model refused does not spend the token").isEqualTo(400);
        try (Client client = Client.connect(gw, "gpt-realtime", List.of(), List.of("realtime", "openai-insecure-api-key." + token))) {
            assertThat(client.socket.getSubprotocol()).isEqualTo("realtime");
            assertThat(client.next("session.created").path("session").path("type").asText()).isEqualTo("realtime");
        }
        assertThat(handshakeStatus(gw, "gpt-realtime", List.of(), List.of("realtime", "openai-insecure-api-key." + token)))
                .as("tokens are single use").isEqualTo(401);
        String forged = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
        assertThat(handshakeStatus(gw, "gpt-realtime", List.of(), List.of("realtime", "openai-insecure-api-key." + forged))).isEqualTo(401);
    }

    @Test
    void theBrokerHandsOutTheGatewaysOwnSingleUseCredentialWithIceServers() throws Exception {
        HttpResponse<String> answer = postJson(gw, "/api/realtime/session", "{\"method\":\"client_secret\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode session = Json.MAPPER.readTree(answer.body());
        assertThat(session.path("mode").asText()).isEqualTo("gateway");
        String value = session.path("client_secret").path("value").asText();
        assertThat(value).startsWith("sbt_");
        assertThat(answer.body()).doesNotContain("ek_").doesNotContain(TestGateway.UPSTREAM_KEY);
        long now = System.currentTimeMillis() / 1000;
        assertThat(session.path("client_secret").path("expires_at").asLong()).isBetween(now + 590, now + 601);
        assertThat(session.path("model").asText()).isEqualTo("gpt-realtime");
        assertThat(session.path("ice_servers").get(0).path("urls").get(0).asText()).isEqualTo("turn:turn.example.com:3478");
        try (Client client = Client.connect(gw, "gpt-realtime", List.of("Authorization", "Bearer " + value), List.of())) {
            assertThat(client.next("session.created").path("session").path("model").asText()).isEqualTo("gpt-realtime");
        }
        assertThat(handshakeStatus(gw, "gpt-realtime", List.of("Authorization", "Bearer " + value), List.of())).isEqualTo(401);

        assertThat(postJson(gw, "/api/realtime/session", "{\"method\":\"sdp\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> offer = HTTP.send(HttpRequest.newBuilder(URI.create(gw.url("/api/realtime/session")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString("v=0\r\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(offer.statusCode()).isEqualTo(400);
        // An offer without a media line is not one a call can be made from.
        assertThat(Json.MAPPER.readTree(offer.body()).path("error").path("code").asText()).isEqualTo("invalid_sdp");
        assertThat(postJson(gw, "/api/realtime/session", "{\"method\":\"client_secret\",\"model\":\"gpt-4o\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void upstreamSecretsOnlyWhenTheOperatorChoosesThem() throws Exception {
        try (TestGateway upstreamMode = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_REALTIME_CLIENT_SECRETS", "upstream", "SWITCHBOARD_REALTIME_SECRET_TTL", "120s"))) {
            HttpResponse<String> answer = postJson(upstreamMode, "/api/realtime/session",
                    "{\"method\":\"client_secret\",\"voice\":\"cedar\"}");
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode session = Json.MAPPER.readTree(answer.body());
            assertThat(session.path("mode").asText()).isEqualTo("upstream");
            String secret = session.path("client_secret").path("value").asText();
            assertThat(secret).startsWith("ek_");
            long now = System.currentTimeMillis() / 1000;
            assertThat(session.path("client_secret").path("expires_at").asLong()).isBetween(now + 110, now + 121);
            assertThat(answer.body()).doesNotContain(TestGateway.UPSTREAM_KEY);
            String requestId = answer.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
            assertThat(awaitRow("select endpoint, outcome from request_log where request_id = ?", requestId))
                    .containsEntry("endpoint", "/v1/realtime/client_secrets").containsEntry("outcome", "completed");
            // The secret opens a session on OpenAI (here the emulator) directly, with the configuration minted.
            try (Client direct = new Client()) {
                direct.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + secret)
                        .buildAsync(URI.create("ws://127.0.0.1:" + upstreamMode.emulator.port() + "/v1/realtime"), direct).join();
                assertThat(direct.next("session.created").path("session").path("audio").path("output").path("voice").asText())
                        .isEqualTo("cedar");
            }
        }
    }

    static HttpResponse<String> postJson(TestGateway gateway, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).header("Authorization", "Bearer " + gateway.clientKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusedBeforeTheUpgradeWithoutAnyUpstreamSession() throws Exception {
        int before = gw.emulator.realtimeSessions();
        assertThat(handshakeStatus(gw, "gpt-realtime", List.of("Authorization", "Bearer sb-forged-key"), List.of())).isEqualTo(401);
        assertThat(handshakeStatus(gw, "gpt-realtime", List.of(), List.of())).isEqualTo(401);
        assertThat(handshakeStatus(gw, "gpt-4o-mini", List.of("Authorization", "Bearer " + gw.clientKey), List.of())).isEqualTo(400);
        assertThat(gw.emulator.realtimeSessions()).isEqualTo(before);
    }

    @Test
    void whenTheConnectionToOpenAiBreaksTheClientIsClosedWith1011() throws Exception {
        // The emulator breaks the connection, without a close frame, after its second event.
        String breaking = "gpt-realtime;drop_after=2";
        try (TestGateway own = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_REALTIME_MODELS", breaking));
             Client client = Client.connect(own, breaking, List.of("Authorization", "Bearer " + own.clientKey), List.of())) {
            client.next("session.created");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}}");
            client.next("session.updated");
            assertThat(client.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1011);
            awaitTrue(() -> own.emulator.realtimeSessions() == 0);
        }
    }

    @Test
    void aSessionIsEndedAtTheMaximumLength() throws Exception {
        try (TestGateway own = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_REALTIME_MAX_SESSION", "1s"));
             Client client = Client.connect(own, "gpt-realtime", List.of("Authorization", "Bearer " + own.clientKey), List.of())) {
            client.next("session.created");
            assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
            awaitTrue(() -> own.emulator.realtimeSessions() == 0);
            assertThat(awaitRow("select error from request_log where endpoint = '/v1/realtime' and outcome = ?",
                    "max_session_length").get("error")).isEqualTo("maximum session length of 1 s reached");
        }
    }

    @Test
    void realtimeIsOffUnlessTurnedOn() throws Exception {
        try (TestGateway off = TestGateway.start(Map.of())) {
            assertThat(handshakeStatus(off, "gpt-realtime", List.of("Authorization", "Bearer " + off.clientKey), List.of())).isEqualTo(403);
            assertThat(off.emulator.realtimeSessions()).isZero();
        }
    }

    static Map<String, Object> awaitRow(String sql, String param) throws InterruptedException {
        awaitTrue(() -> query(sql, param).isPresent());
        return query(sql, param).orElseThrow();
    }

    static java.util.Optional<Map<String, Object>> query(String sql, String param) {
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(sql).bind(0, param).mapToMap().findFirst());
    }

    static long count(String sql, String param) {
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(sql).bind(0, param).mapTo(Long.class).one());
    }

    static String wsUrl(TestGateway gateway, String model) {
        return "ws://127.0.0.1:" + gateway.gateway.port() + "/v1/realtime?model=" + model;
    }

    static int handshakeStatus(TestGateway gateway, String model, List<String> headers, List<String> protocols) {
        try {
            Client.connect(gateway, model, headers, protocols).socket.abort();
            return 101;
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    /**
     * A client socket and what it received, in order. {@link #pause Paused}, it asks its socket for nothing more, so the
     * events sent to it fill its receive buffer and then the gateway's send buffer, as a stalled browser tab's would.
     */
    static final class Client implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<String> closeReason = new CompletableFuture<>();
        final StringBuilder partial = new StringBuilder();
        private volatile boolean paused;
        WebSocket socket;

        void pause() {
            paused = true;
        }

        void resume() {
            paused = false;
            socket.request(1);
        }

        static Client connect(TestGateway gateway, String model, List<String> headers, List<String> protocols) {
            Client client = new Client();
            WebSocket.Builder builder = HTTP.newWebSocketBuilder();
            for (int i = 0; i < headers.size(); i += 2) builder.header(headers.get(i), headers.get(i + 1));
            if (!protocols.isEmpty()) {
                builder.subprotocols(protocols.getFirst(), protocols.subList(1, protocols.size()).toArray(String[]::new));
            }
            client.socket = builder.buildAsync(URI.create(wsUrl(gateway, model)), client).join();
            return client;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            if (!paused) webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason.complete(reason);
            closed.complete(statusCode);
            return null;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        JsonNode next(String type) throws Exception {
            return next(type, 10);
        }

        /** The next event of this type (any when null), skipping others; fails after {@code seconds}. */
        JsonNode next(String type, int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                String text = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (text == null) throw new AssertionError("no " + (type == null ? "event" : type) + " within " + seconds + " s");
                JsonNode event = Json.MAPPER.readTree(text);
                if (type == null || event.path("type").asText().equals(type)) return event;
            }
        }

        @Override
        public void close() {
            if (paused) {
                paused = false;
                socket.request(Long.MAX_VALUE);
            }
            if (!socket.isOutputClosed()) socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
            closed.completeOnTimeout(0, 2, TimeUnit.SECONDS).join();
            socket.abort();
        }
    }
}
