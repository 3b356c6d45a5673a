package dev.switchboard.stream;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that leave a relayed stream at every point (before the upstream answered, at the first event, mid-way;
 * with a FIN or a reset): each leaves nothing behind, neither a live stream nor the key's stream slot.
 */
class AbortedStreamsTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "300ms"));
        gw.emulator.script("slow-start", "{\"tokens\":5,\"delay_ms\":400}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void manyStreamsLeftAtEveryPointFreeTheirSlotsAndEnd() throws Exception {
        String key = gw.keyWithLimits("{\"concurrent_streams\":1}");
        for (int i = 0; i < 12; i++) {
            boolean reset = i % 2 == 0;
            int leaveAfterBytes = switch (i % 3) {
                case 0 -> 0; // before any answer
                case 1 -> 1; // at the status line
                default -> 400; // mid-way
            };
            String model = i % 4 == 0 ? "slow-start" : "gpt-4o-mini;tokens=200;delay_ms=20";
            awaitTrue(() -> gw.gateway.liveStreams().list().isEmpty());
            try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
                String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                InputStream in = socket.getInputStream();
                for (int read = 0; read < leaveAfterBytes && in.read() >= 0; read++) { }
                if (reset) socket.setSoLinger(true, 0);
            }
        }
        awaitTrue(() -> gw.gateway.liveStreams().list().isEmpty());
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        awaitTrue(() -> gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))).statusCode() == 200);
    }

    /**
     * The client leaves while events are flowing: the gateway's next write fails (on the thread that read the event
     * from upstream), and upstream is told at once, not left to finish a paid answer for nobody.
     */
    @Test
    void aClientThatLeavesWhileEventsFlowHasItsUpstreamRequestCancelled() throws Exception {
        gw.emulator.script("flowing-chat", "{\"tokens\":300,\"delay_ms\":50}");
        HttpResponse<InputStream> response = gw.open(gw.post("/v1/chat/completions",
                "{\"model\":\"flowing-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        String completionId;
        try (InputStream body = response.body()) {
            completionId = dev.switchboard.SseFrames.json(new SseReader(body).next()).path("id").asText();
        }
        String streamId = response.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
        awaitTrue(() -> gw.gateway.liveStreams().find(streamId).isEmpty());
        awaitTrue(() -> gw.emulator.observations().clientCancelledResponses().contains(completionId));
    }

}
