package dev.switchboard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.config.Secret;
import dev.switchboard.config.UpstreamSettings;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What the upstream HTTP client must never do on its own: keep a cookie one request got and send it with the next
 * (another tenant's), ask for a compressed answer, or decode one: the bytes upstream sent are the bytes relayed.
 */
class UpstreamClientIsolationTest {

    @Test
    void aCookieUpstreamSetsIsNeverSentAgainAndACompressedAnswerComesAsItWasSent() throws Exception {
        byte[] json = "{\"object\":\"thing\",\"id\":\"thing_1\"}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write(json);
        }
        byte[] gzipped = zipped.toByteArray();
        List<String> cookies = new CopyOnWriteArrayList<>();
        List<String> acceptEncodings = new CopyOnWriteArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                cookies.add(String.valueOf(exchange.getRequestHeaders().getFirst("Cookie")));
                acceptEncodings.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
                exchange.getResponseHeaders().add("Set-Cookie", "session=tenant-a; Path=/");
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add("Content-Encoding", "gzip");
                exchange.sendResponseHeaders(200, gzipped.length);
                exchange.getResponseBody().write(gzipped);
            }
        });
        upstream.start();
        URI base = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1");
        UpstreamSettings settings = new UpstreamSettings(Optional.empty(), Optional.empty(), Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(10), 0);
        try (UpstreamClient client = new UpstreamClient(settings, base, Secret.of("sk-upstream"))) {
            for (String tenant : List.of("a", "b")) {
                try (UpstreamResponse response = client.send(new UpstreamRequest("GET", "/things", null, null, Map.of(),
                        "req-" + tenant))) {
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.header("Content-Encoding")).contains("gzip");
                    assertThat(response.readAll()).isEqualTo(gzipped);
                }
            }
        } finally {
            upstream.stop(0);
        }
        assertThat(cookies).containsExactly("null", "null");
        assertThat(acceptEncodings).containsExactly("null", "null");
    }
}
