package dev.switchboard.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestDatabase;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 5: no internals in any response. Every registered route (and {@code /mcp}) gets hostile requests:
 * no key, a bad key, odd bytes in its path ids and query, and, where it takes a body, malformed, deeply nested,
 * NUL-laden, oversized-number and wrongly typed JSON, invalid UTF-8, and the wrong content type. Every answer must
 * come in bounded time and, when it is an error, be JSON with {@code error.message} (OpenAI's shape, or JSON-RPC's
 * on {@code /mcp}), never a 500 for the client's mistake, and never name a Java class, file or stack frame.
 */
class EveryRouteHostileTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final List<String> INTERNALS = List.of("java.", "Exception", ".java:", "at dev.switchboard", "jakarta.",
            "org.eclipse", "com.fasterxml", "io.modelcontextprotocol", "\tat ");
    /** A Java method named with its class, {@code StreamReadConstraints.getMaxNestingDepth()}. */
    private static final Pattern JAVA_MEMBER = Pattern.compile("\\b[A-Z][A-Za-z]+\\.[a-z][A-Za-z]*\\(");
    private static final List<String> ODD_IDS = List.of("%00", "%0D%0AX-Injected:%201", "..%2F..%2Fmodels", "%FF%FE", "a%22b%27%3C",
            "a".repeat(2000), "%E2%80%AE", "1e99999");
    private static final String HOSTILE_QUERY = "?limit=%00&before=x%0D%0A&after=1e99999&order=%FF&stream=%00&model=a%00";
    private static final List<byte[]> BODIES = List.of(
            utf8("{\"model\":"),
            utf8("[".repeat(100_000)),
            utf8("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000)),
            utf8("{\"model\":\"gpt-4o-mini\\u0000\",\"name\":\"\\u0000\",\"id\":\"a\\u0000\",\"input\":\"\\u0000\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"\\u0000\"}],\"url\":\"http://x/\\u0000\","
                    + "\"session_id\":\"\\u0000\",\"assistant_id\":\"\\u0000\",\"instructions\":\"\\u0000\","
                    + "\"metadata\":{\"\\u0000\":\"\\u0000\"},\"tools\":[\"\\u0000\"]}"),
            utf8("{\"model\":\"a\u0000b\",\"name\":\"x\"}"),
            utf8("{\"model\":\"gpt-4o-mini\\r\\nX-Injected: 1\",\"name\":\"a\\r\\nb\"}"),
            utf8("{\"model\":1e999999,\"limit\":123456789012345678901234567890123,\"temperature\":1e400,"
                    + "\"tokens_per_day\":-99999999999999999999999,\"n\":" + "9".repeat(2000) + "}"),
            utf8("{\"model\":[],\"messages\":\"x\",\"stream\":\"yes\",\"metadata\":5,\"tools\":7,\"input\":{},\"name\":{},"
                    + "\"instructions\":[1],\"session_id\":5,\"assistant_id\":true,\"role\":9,\"content\":false,"
                    + "\"tool_outputs\":\"x\",\"requests_per_minute\":\"ten\",\"models\":\"all\",\"sdp\":5,\"input_items\":{}}"),
            utf8("[]"), utf8("\"str\""), utf8("null"), utf8(""),
            new byte[] {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});

    static TestGateway gw;
    /** A database of this test's own: what it records must not show in other tests' counts, nor theirs in its. */
    static String database;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    private final List<String> violations = new ArrayList<>();
    private int answered;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase(TestDatabase.sharedUrl());
        gw = TestGateway.start(Map.of("DATABASE_URL", database, "OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_DEBUG_EVENTS", "true"));
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        TestDatabase.drop(TestDatabase.sharedUrl(), database);
    }

    @Test
    void everyRouteAnswersHostileRequestsWithAWellFormedErrorAndNoInternals() {
        Set<String> routes = new LinkedHashSet<>(gw.gateway.routes());
        routes.addAll(List.of("POST /mcp", "GET /mcp", "DELETE /mcp"));
        assertThat(routes).hasSizeGreaterThan(50);
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String template = route.substring(route.indexOf(' ') + 1);
            String path = template.replaceAll("\\{[^}]+}|<[^>]+>", "x1");
            boolean withBody = !method.equals("GET");
            byte[] someBody = withBody ? utf8("{}") : null;
            check(route, method, path, null, "application/json", someBody);
            check(route, method, path, "sb-not-a-key", "application/json", someBody);
            String key = template.startsWith("/api/admin") ? gw.adminKey : gw.clientKey;
            if (template.contains("{") || template.contains("<")) {
                for (String odd : ODD_IDS) {
                    check(route, method, template.replaceAll("\\{[^}]+}|<[^>]+>", odd), key, "application/json", someBody);
                }
            }
            check(route, method, path + HOSTILE_QUERY, key, "application/json", someBody);
            if (withBody) {
                for (byte[] body : BODIES) check(route, method, path, key, "application/json", body);
                check(route, method, path, key, "text/plain", utf8("{\"model\":\"gpt-4o-mini\"}"));
                check(route, method, path, key, "application/x-www-form-urlencoded", utf8("model=%00"));
                check(route, method, path, key, null, utf8("{\"model\":\"a\\u0000\"}"));
            }
        }
        assertThat(violations).as("hostile requests answered badly").isEmpty();
        assertThat(answered).as("requests answered").isGreaterThan(1000);
    }

    @Test
    void aRevokedKeyIsRefusedOnEveryRouteThatTakesAKey() throws Exception {
        String revoked = gw.gateway.keys().create("revoked-everywhere", null, true).secret();
        String id = gw.gateway.keys().authenticate(revoked).orElseThrow().keyId();
        gw.gateway.keys().revoke(id);
        Set<String> routes = new LinkedHashSet<>(gw.gateway.routes());
        routes.addAll(List.of("POST /mcp", "GET /mcp", "DELETE /mcp"));
        List<String> accepted = new ArrayList<>();
        int tried = 0;
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}|<[^>]+>", "x1");
            // Only these take a key: the rest are pages, health and signed document URLs, open by design.
            if (!path.startsWith("/v1/") && !path.startsWith("/api/") && !path.equals("/mcp")) continue;
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.url(path))).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + revoked).header("Accept", "application/json, text/event-stream")
                    .header("Content-Type", "application/json")
                    .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(utf8("{\"model\":\"gpt-4o-mini\"}")));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            tried++;
            String code = response.statusCode() == 401 ? Json.MAPPER.readTree(response.body()).path("error").path("code").asText() : "";
            if (!code.equals("invalid_api_key")) accepted.add(route + ": " + response.statusCode() + " " + shorten(response.body()));
        }
        assertThat(tried).isGreaterThan(50);
        assertThat(accepted).as("routes that did not refuse a revoked key with 401 invalid_api_key").isEmpty();
    }

    @Test
    void mcpSessionsAndJsonRpcFaultsAreJsonRpcErrors() {
        String route = "POST /mcp";
        for (byte[] body : List.of(
                utf8("{\"jsonrpc\":\"2.0\",\"id\":\"\\u0000\",\"method\":\"tools/call\",\"params\":{\"name\":\"\\u0000\"}}"),
                utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}"),
                utf8("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":5}"),
                utf8("{\"jsonrpc\":\"1.0\"}"))) {
            check(route, "POST", "/mcp", gw.clientKey, "application/json", body);
        }
        for (String session : List.of("nope", "%00", "a\u0001b")) {
            for (String method : List.of("GET", "DELETE", "POST")) {
                checkWithSession(method + " /mcp", method, session);
            }
        }
        assertThat(violations).as("hostile MCP requests answered badly").isEmpty();
    }

    @Test
    void requestsThatAreNotValidHttpGetJsonErrors() throws Exception {
        for (String raw : List.of(
                "GET /v1/models\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\rb\r\n\r\n",
                "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Bad\u0000: y\r\n\r\n",
                "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                "GET /%%%% HTTP/1.1\r\nHost: x\r\n\r\n")) {
            try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String response = new String(socket.getInputStream().readNBytes(8192), StandardCharsets.UTF_8);
                String label = "raw " + raw.substring(0, raw.indexOf("\r\n")).replace("\u0000", "\\0");
                int split = response.indexOf("\r\n\r\n");
                if (!response.startsWith("HTTP/1.1 4") || split < 0) {
                    violations.add(label + ": " + response.lines().findFirst().orElse("(nothing)"));
                    continue;
                }
                inspect(label, Integer.parseInt(response.substring(9, 12)), response.substring(split + 4));
            }
        }
        assertThat(violations).as("invalid HTTP answered badly").isEmpty();
    }

    private void checkWithSession(String route, String method, String session) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.url("/mcp"))).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + gw.clientKey).header("Accept", "application/json, text/event-stream")
                .header("Content-Type", "application/json");
        try {
            request.header("Mcp-Session-Id", session);
        } catch (IllegalArgumentException notSendable) {
            return;
        }
        byte[] body = utf8("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}");
        request.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofByteArray(body) : HttpRequest.BodyPublishers.noBody());
        send(route + " session " + session, request);
    }

    private void check(String route, String method, String path, String key, String contentType, byte[] body) {
        URI uri;
        try {
            uri = URI.create(gw.url(path));
        } catch (IllegalArgumentException notAUri) {
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", "application/json, text/event-stream");
        if (key != null) request.header("Authorization", "Bearer " + key);
        if (contentType != null && body != null) request.header("Content-Type", contentType);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String label = route + " as " + method + " " + shorten(path) + (key == null ? " (no key)" : "")
                + (body == null ? "" : " body " + shorten(new String(body, StandardCharsets.UTF_8)))
                + (contentType == null ? " (no content type)" : " " + contentType);
        send(label, request);
    }

    private void send(String label, HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            violations.add(label + ": no answer (" + e + ")");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        inspect(label, response.statusCode(), response.body());
    }

    private void inspect(String label, int status, String body) {
        answered++;
        for (String internal : INTERNALS) {
            if (body.contains(internal)) {
                violations.add(label + ": " + status + " names internals (" + internal + "): " + shorten(body));
                return;
            }
        }
        if (status == 500) violations.add(label + ": 500 for a client's mistake: " + shorten(body));
        if (status < 400) return;
        if (JAVA_MEMBER.matcher(body).find()) {
            violations.add(label + ": " + status + " names a Java method: " + shorten(body));
            return;
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            violations.add(label + ": " + status + " body is not JSON: " + shorten(body));
            return;
        }
        if (json == null || !json.path("error").path("message").isTextual() || json.path("error").path("message").asText().isBlank()) {
            violations.add(label + ": " + status + " body has no error.message: " + shorten(body));
        }
    }

    private static String shorten(String text) {
        String printable = text.replace("\u0000", "\\0").replace("\r", "\\r").replace("\n", "\\n");
        return printable.length() <= 120 ? printable : printable.substring(0, 120) + "…";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
