package dev.switchboard.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Careless and hostile clients: oversize headers, slow-loris connections, a flood of WebSocket frames and
 * thousands of idle connections neither take the gateway down nor starve the clients that behave.
 */
class HostileClientsTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void oversizeHeadersGetAnOpenAiShapedRefusal() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 431");
            assertThat(response).contains("application/json", "\"code\":\"request_headers_too_large\"");
        }
        assertThat(models().statusCode()).isEqualTo(200);
    }

    @Test
    void aMethodOverrideHeaderIsRefusedSoTheMethodActedOnIsTheRequestLines() throws Exception {
        var victim = gw.gateway.keys().create("override-victim", null, false);
        String[][] attempts = {{"GET", "/v1/models", "DELETE"}, {"GET", "/v1/files", "POST"}, {"POST", "/v1/chat/completions", "GET"},
                {"GET", "/v1/future_things/x", "DELETE"}, {"GET", "/api/admin/keys/" + victim.key().id(), "DELETE"}};
        int upstreamBefore = gw.emulator.requests().size();
        for (String[] attempt : attempts) {
            String key = attempt[1].startsWith("/api/admin") ? gw.adminKey : gw.clientKey;
            HttpResponse<String> refused = gw.send(HttpRequest.newBuilder(URI.create(gw.url(attempt[1])))
                    .header("Authorization", "Bearer " + key).header("X-HTTP-Method-Override", attempt[2])
                    .header("Content-Type", "application/json")
                    .method(attempt[0], attempt[0].equals("GET") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")));
            assertThat(refused.statusCode()).as(String.join(" ", attempt)).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText())
                    .isEqualTo("method_override_not_supported");
        }
        assertThat(gw.emulator.requests()).as("nothing reached OpenAI").hasSize(upstreamBefore);
        assertThat(gw.gateway.keys().authenticate(victim.secret())).as("the key was not deleted").isPresent();
    }

    @Test
    void headIsRefusedRatherThanAnsweredWithoutRunningTheRoute() {
        int upstreamBefore = gw.emulator.requests().size();
        for (String path : List.of("/api/admin/keys", "/v1/models", "/v1/files", "/readyz", "/healthz", "/v1/future_things")) {
            for (String key : new String[] {null, gw.clientKey}) {
                HttpRequest.Builder head = HttpRequest.newBuilder(URI.create(gw.url(path)))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody());
                if (key != null) head.header("Authorization", "Bearer " + key);
                HttpResponse<String> answer = gw.send(head);
                // Javalin answered 200 here for every GET route, key or not, without running the route.
                assertThat(answer.statusCode()).as("HEAD " + path + (key == null ? " without a key" : "")).isEqualTo(405);
                assertThat(answer.headers().firstValue("Allow")).hasValue("GET");
            }
        }
        assertThat(gw.emulator.requests()).as("nothing reached OpenAI").hasSize(upstreamBefore);
    }

    @Test
    void slowLorisConnectionsDoNotStarveOtherClients() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket socket = new Socket("127.0.0.1", gw.gateway.port());
                // A request that never ends: headers sent a few bytes at a time, never the blank line.
                socket.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            for (Socket socket : slow) socket.getOutputStream().write('a');
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) assertThat(models().statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            for (Socket socket : slow) socket.close();
        }
    }

    @Test
    void aFloodOfWebSocketFramesIsTakenWithBackpressureWhileOthersAreServed() throws Exception {
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + gw.clientKey)
                .buildAsync(URI.create(gw.url("/v1/realtime?model=gpt-realtime").replaceFirst("^http", "ws")), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        if (last) received.incrementAndGet();
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }
                }).join();
        String frame = "{\"type\":\"input_audio_buffer.clear\"}";
        CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(socket);
        for (int i = 0; i < 3000; i++) sending = sending.thenCompose(ws -> ws.sendText(frame, true));
        // While the flood is being taken in, other clients are answered.
        for (int i = 0; i < 10; i++) assertThat(models().statusCode()).isEqualTo(200);
        sending.get(60, TimeUnit.SECONDS);
        // Every frame reached OpenAI's side and was answered (input_audio_buffer.cleared), in order, none lost.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() < 3001 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(received.get()).isEqualTo(3001);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void tenThousandIdleConnectionsDoNotStopTheGateway() throws Exception {
        // The idle connections come from another process: this JVM holds the gateway's side of each.
        Process holder = new ProcessBuilder("python3", "-c", """
                import socket, sys, time
                held = []
                for _ in range(10000):
                    held.append(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
                print("held", len(held), flush=True)
                sys.stdin.read()
                """, String.valueOf(gw.gateway.port())).redirectErrorStream(true).start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(output.readLine()).isEqualTo("held 10000");
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) assertThat(models().statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            JsonNode ready = Json.MAPPER.readTree(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/readyz")))).body());
            assertThat(ready.path("status").asText()).isEqualTo("ready");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> models() {
        return gw.send(gw.get("/v1/models"));
    }
}
