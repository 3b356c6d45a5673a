package dev.switchboard.openai;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A forwarded request goes asynchronous: whatever fails once it has (even before its first upstream call is made),
 * the client gets an OpenAI-shaped answer, the exchange ends, and the stream slot the request holds is freed.
 */
class AsyncForwardFailuresTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /**
     * A query string the server takes but that is no URI to the upstream client ({@code |} is not a URI character):
     * building the upstream request fails inside the asynchronous answer, before any future of the chain exists.
     */
    @Test
    void aRequestTheUpstreamCallCannotBeMadeForFreesItsStreamSlotAndIsAnsweredInTheApiShape() throws Exception {
        String key = gw.keyWithLimits("{\"concurrent_streams\":1}");
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (int i = 0; i < 3; i++) {
            String answer = rawPost("/v1/chat/completions?tag=a|b", key, body);
            assertThat(answer).startsWith("HTTP/1.1 ");
            JsonNode error = Json.MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("error");
            assertThat(error.path("message").asText()).isNotBlank();
            assertThat(error.path("code").asText()).isNotBlank();
        }
        // The slot the refused requests held is free again: a normal stream of the same key is let in.
        awaitTrue(() -> gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))).statusCode() == 200);
    }

    /** Sends a request whose target the JDK's client would refuse to send; returns the whole answer as text. */
    static String rawPost(String target, String key, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
