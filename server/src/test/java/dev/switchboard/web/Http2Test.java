package dev.switchboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Await;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 beside HTTP/1.1 on the gateway's one port: h2 over TLS chosen by ALPN, h2c in cleartext (with prior knowledge
 * and by {@code Upgrade: h2c}), the same event streams over each, and a stream reset by its client cancelled upstream.
 */
class Http2Test {
    private static final String STREAMED_CHAT = "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Say something\"}]}";

    @TempDir
    static Path certificates;
    static SelfSignedKeystore keystore;
    static TestGateway cleartext;
    static TestGateway tls;

    @BeforeAll
    static void start() throws Exception {
        keystore = SelfSignedKeystore.create(certificates);
        cleartext = TestGateway.start(Map.of("SWITCHBOARD_MAX_BODY_BYTES", "4096"));
        tls = TestGateway.start(keystore.env());
    }

    @AfterAll
    static void stop() {
        if (cleartext != null) cleartext.close();
        if (tls != null) tls.close();
    }

    @Test
    void h2OverTlsStreamsTheSameEventsAsHttp11() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(keystore.trustingIt()).build();
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(keystore.trustingIt()).build();

        HttpResponse<String> overH2 = h2.send(chat(tls, "https"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> overHttp11 = http11.send(chat(tls, "https"), HttpResponse.BodyHandlers.ofString());

        assertThat(overH2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(overHttp11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(overH2.statusCode()).isEqualTo(200);
        assertThat(overH2.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(sameExceptTheAnswersOwnIds(overH2.body())).isEqualTo(sameExceptTheAnswersOwnIds(overHttp11.body()));
        assertThat(overH2.body()).contains("id: 0\n").endsWith("data: [DONE]\n\n");
    }

    @Test
    void h2cWithPriorKnowledgeStreamsTheSameEventsAsHttp11() throws Exception {
        String overHttp11 = cleartext.send(cleartext.post("/v1/chat/completions", STREAMED_CHAT)).body();

        PriorKnowledgeAnswer overH2c = priorKnowledgePost(cleartext, "/v1/chat/completions", STREAMED_CHAT);

        assertThat(overH2c.status()).as(overH2c.body()).isEqualTo(200);
        assertThat(sameExceptTheAnswersOwnIds(overH2c.body())).isEqualTo(sameExceptTheAnswersOwnIds(overHttp11));
        assertThat(overH2c.body()).contains("id: 0\n").endsWith("data: [DONE]\n\n");
    }

    @Test
    void h2cByUpgradeAnswersOverHttp2() throws Exception {
        HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // The JDK's client asks for the upgrade on its first request and keeps the HTTP/2 connection for the next.
        HttpResponse<String> upgraded = h2c.send(HttpRequest.newBuilder(URI.create(cleartext.url("/healthz"))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> streamed = h2c.send(chat(cleartext, "http"), HttpResponse.BodyHandlers.ofString());

        assertThat(upgraded.statusCode()).isEqualTo(200);
        assertThat(upgraded.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(streamed.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(streamed.body()).contains("id: 0\n").endsWith("data: [DONE]\n\n");
    }

    @Test
    void aBodyOverTheLimitIsRefusedOverHttp2AsOverHttp11() throws Exception {
        HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        h2c.send(HttpRequest.newBuilder(URI.create(cleartext.url("/healthz"))).build(), HttpResponse.BodyHandlers.ofString());
        String big = "{\"model\":\"gpt-4o-mini\",\"input\":\"" + "x".repeat(5000) + "\"}";
        HttpResponse<String> refused = h2c.send(HttpRequest.newBuilder(URI.create(cleartext.url("/v1/responses")))
                .header("Authorization", "Bearer " + cleartext.clientKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void http11StillAnswersOnTheTlsPort() throws Exception {
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(keystore.trustingIt()).build();
        HttpResponse<String> health = http11.send(HttpRequest.newBuilder(URI.create(url(tls, "https", "/healthz"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void aClientOfferingOnlyHttp11ByAlpnIsAnsweredOverIt() throws Exception {
        // What a browser does for a WebSocket, and what an HTTP/1.1-only client with ALPN does for everything.
        try (SSLSocket socket = (SSLSocket) keystore.trustingIt().getSocketFactory().createSocket("127.0.0.1", tls.gateway.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aStreamItsClientResetsIsCancelledUpstreamAndTheConnectionGoesOn() throws Exception {
        tls.emulator.script("h2-reset-chat", "{\"tokens\":200,\"delay_ms\":100}");
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(keystore.trustingIt()).build();
        HttpRequest slow = HttpRequest.newBuilder(URI.create(url(tls, "https", "/v1/chat/completions")))
                .header("Authorization", "Bearer " + tls.clientKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"h2-reset-chat\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build();
        HttpResponse<InputStream> response = h2.send(slow, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        String completionId;
        // Closing an HTTP/2 response body before its end resets that stream (RST_STREAM CANCEL), not the connection.
        try (InputStream body = response.body()) {
            SseFrame first = new SseReader(body).next();
            completionId = SseFrames.json(first).path("id").asText();
        }

        Await.until(Duration.ofSeconds(20), () -> tls.gateway.liveStreams().find(streamId).isEmpty());
        Await.until(Duration.ofSeconds(20), () -> tls.emulator.observations().clientCancelledResponses().contains(completionId));
        // The same connection goes on, and the stream's log says why it ended.
        HttpResponse<String> log = h2.send(HttpRequest.newBuilder(URI.create(url(tls, "https", "/v1/streams/" + streamId)))
                .header("Authorization", "Bearer " + tls.clientKey).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(log.version()).isEqualTo(HttpClient.Version.HTTP_2);
        List<SseFrame> logged = SseFrames.parse(log.body());
        assertThat(SseFrames.json(logged.getLast()).path("error").path("code").asText()).isEqualTo("client_disconnected");
    }

    /**
     * Over h2 as over HTTP/1.1: another owner's stream is an unknown one, a revoked key is refused, and a body with a
     * NUL byte in place of JSON is a 400 in OpenAI's shape, never a reset stream or a stack trace.
     */
    @Test
    void overH2AnotherOwnersStreamARevokedKeyAndAHostileBodyAreRefusedAsOverHttp11() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(keystore.trustingIt()).build();
        HttpResponse<String> mine = h2.send(chat(tls, "https"), HttpResponse.BodyHandlers.ofString());
        String streamId = mine.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();

        String otherOwner = newKeyOverH2(h2).path("key").asText();
        HttpResponse<String> theirs = h2.send(HttpRequest.newBuilder(URI.create(url(tls, "https", "/v1/streams/" + streamId)))
                .header("Authorization", "Bearer " + otherOwner).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(theirs.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(theirs.statusCode()).as(theirs.body()).isEqualTo(404);

        JsonNode revoked = newKeyOverH2(h2);
        HttpResponse<String> revocation = h2.send(admin(tls, "/api/admin/keys/" + revoked.path("id").asText()).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(revocation.statusCode()).as(revocation.body()).isLessThan(300);
        HttpResponse<String> refused = h2.send(HttpRequest.newBuilder(URI.create(url(tls, "https", "/v1/models")))
                .header("Authorization", "Bearer " + revoked.path("key").asText()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        assertThat(dev.switchboard.web.Json.MAPPER.readTree(refused.body()).path("error").path("message").asText()).isNotBlank();

        HttpResponse<String> hostile = h2.send(HttpRequest.newBuilder(URI.create(url(tls, "https", "/v1/chat/completions")))
                .header("Authorization", "Bearer " + tls.clientKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\u0000\",\r\n\"messages\":")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hostile.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(hostile.statusCode()).as(hostile.body()).isEqualTo(400);
        assertThat(dev.switchboard.web.Json.MAPPER.readTree(hostile.body()).path("error").path("type").asText())
                .isEqualTo("invalid_request_error");
    }

    /** A new client key (of an owner of its own) made through the TLS gateway's admin API over h2: its id and key. */
    private static JsonNode newKeyOverH2(HttpClient h2) throws Exception {
        HttpResponse<String> created = h2.send(admin(tls, "/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"h2-" + System.nanoTime() + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isLessThan(300);
        return dev.switchboard.web.Json.MAPPER.readTree(created.body());
    }

    private static HttpRequest.Builder admin(TestGateway gw, String path) {
        return HttpRequest.newBuilder(URI.create(url(gw, "https", path))).header("Authorization", "Bearer " + gw.adminKey)
                .header("Content-Type", "application/json");
    }

    private static HttpRequest chat(TestGateway gw, String scheme) {
        return HttpRequest.newBuilder(URI.create(url(gw, scheme, "/v1/chat/completions")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(STREAMED_CHAT)).build();
    }

    private static String url(TestGateway gw, String scheme, String path) {
        return scheme + "://127.0.0.1:" + gw.gateway.port() + path;
    }

    /** Two answers to one request differ only in the ids and time the upstream gave each. */
    private static String sameExceptTheAnswersOwnIds(String body) {
        return body.replaceAll("chatcmpl-[A-Za-z0-9_-]+", "chatcmpl-ID").replaceAll("\"created\":\\d+", "\"created\":0");
    }

    record PriorKnowledgeAnswer(int status, String body) {}

    /**
     * One POST over h2c with prior knowledge, spoken frame by frame (RFC 9113): the JDK's client only reaches h2c by
     * an upgrade. The request's headers are HPACK literals; of the answer's headers only the status is read.
     */
    private static PriorKnowledgeAnswer priorKnowledgePost(TestGateway gw, String path, String json) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            writeFrame(out, 0x4, 0, 0, new byte[0]);
            byte[] content = json.getBytes(StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(":method", "POST");
            headers.put(":scheme", "http");
            headers.put(":path", path);
            headers.put(":authority", "127.0.0.1:" + gw.gateway.port());
            headers.put("authorization", "Bearer " + gw.clientKey);
            headers.put("content-type", "application/json");
            headers.put("content-length", String.valueOf(content.length));
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            headers.forEach((name, value) -> {
                block.write(0x00);
                literal(block, name);
                literal(block, value);
            });
            writeFrame(out, 0x1, 0x4, 1, block.toByteArray());
            writeFrame(out, 0x0, 0x1, 1, content);
            out.flush();

            DataInputStream in = new DataInputStream(socket.getInputStream());
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int status = 0;
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (type == 0x4 && (flags & 0x1) == 0) writeFrame(out, 0x4, 0x1, 0, new byte[0]);
                if (type == 0x7) throw new AssertionError("the gateway closed the connection (GOAWAY)");
                if (stream != 1) continue;
                if (type == 0x3) throw new AssertionError("the gateway reset the stream");
                if (type == 0x1 && status == 0) status = statusOf(payload);
                if (type == 0x0) body.write(payload);
                if ((type == 0x0 || type == 0x1) && (flags & 0x1) != 0) break;
            }
            return new PriorKnowledgeAnswer(status, body.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * 200 when the header block starts with {@code :status 200} (HPACK static entry 8, byte 0x88), after any dynamic
     * table size update (bits 001, a 5-bit-prefix integer) the encoder sends first; -1 otherwise.
     */
    private static int statusOf(byte[] block) {
        int at = 0;
        while (at < block.length && (block[at] & 0xe0) == 0x20) {
            if ((block[at++] & 0x1f) == 0x1f) while ((block[at++] & 0x80) != 0) { /* the integer's next byte */ }
        }
        return at < block.length && (block[at] & 0xff) == 0x88 ? 200 : -1;
    }

    private static void writeFrame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
        out.write(payload);
    }

    /** An HPACK string literal, not Huffman-coded: its length as a 7-bit-prefix integer, then its bytes. */
    private static void literal(ByteArrayOutputStream block, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        if (length < 127) {
            block.write(length);
        } else {
            block.write(127);
            for (length -= 127; length >= 128; length >>= 7) block.write((length & 0x7f) | 0x80);
            block.write(length);
        }
        block.writeBytes(bytes);
    }
}
