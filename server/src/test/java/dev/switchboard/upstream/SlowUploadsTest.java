package dev.switchboard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.StandInOpenAi;
import dev.switchboard.TestGateway;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Uploads are streamed upstream as the client sends them. Clients that send slowly (a phone on a poor network, or a
 * slowloris) must not hold what every other request needs to reach upstream.
 */
class SlowUploadsTest {
    private static final String BOUNDARY = "slow-upload-boundary";
    private static final int SLOW_UPLOADS = 300;

    @Test
    void manySlowUploadsDoNotStopOtherRequestsReachingUpstream() throws Exception {
        slowUploadsThenAChat("whisper-1");
    }

    /** Refused at their first field (a model the key may not use), with the rest of their bodies still to come. */
    @Test
    void manySlowUploadsRefusedEarlyDoNotStopOtherRequestsReachingUpstream() throws Exception {
        slowUploadsThenAChat("not-allowed-model");
    }

    private static void slowUploadsThenAChat(String model) throws Exception {
        try (StandInOpenAi openAi = StandInOpenAi.start()
                .json("/v1/chat/completions", "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}");
             TestGateway gw = TestGateway.start(Map.of("OPENAI_BASE_URL", openAi.baseUrl()))) {
            String key = limitedKey(gw, "{\"models\":[\"whisper-1\",\"gpt-4o-mini\"]}");
            List<Socket> uploads = new ArrayList<>();
            try {
                String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n--"
                        + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                        + "Content-Type: audio/wav\r\n\r\n";
                for (int i = 0; i < SLOW_UPLOADS; i++) {
                    Socket socket = new Socket("127.0.0.1", gw.gateway.port());
                    uploads.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                            + key + "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY
                            + "\r\nContent-Length: 10000000\r\n\r\n" + head + "RIFF").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                // Each upload is now being sent upstream, waiting for its client's next bytes; another request
                // still gets through.
                var answer = gw.send(gw.post("/v1/chat/completions",
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            } finally {
                for (Socket socket : uploads) socket.close();
            }
        }
    }

    private static String limitedKey(TestGateway gw, String limits) throws Exception {
        var created = dev.switchboard.web.Json.MAPPER.readTree(gw.send(admin(gw, "/api/admin/keys")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"uploads\"}"))).body());
        var set = gw.send(admin(gw, "/api/admin/keys/" + created.path("id").asText() + "/limits")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(limits)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return created.path("key").asText();
    }

    private static java.net.http.HttpRequest.Builder admin(TestGateway gw, String path) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.url(path)))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json");
    }
}
