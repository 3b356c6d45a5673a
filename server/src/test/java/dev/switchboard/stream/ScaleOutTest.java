package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.TestRedis;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two gateway instances sharing PostgreSQL and Redis: a stream begun on one is resumed on the other. */
class ScaleOutTest {

    @Test
    void aStreamBegunOnOneInstanceResumesOnAnotherExactlyOnce() throws Exception {
        String redis = TestRedis.requireReachable();
        try (TestGateway first = TestGateway.start(Map.of("REDIS_URL", redis));
             TestGateway second = TestGateway.start(Map.of("REDIS_URL", redis))) {
            first.emulator.script("scale-out", "{\"tokens\":25,\"delay_ms\":30}");
            HttpResponse<InputStream> original = first.open(first.post("/v1/responses",
                    "{\"model\":\"scale-out\",\"stream\":true,\"background\":true,\"input\":\"x\"}"));
            String streamId = original.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
            List<SseFrame> seen = new ArrayList<>();
            SseReader reader = new SseReader(original.body());
            for (int i = 0; i < 5; i++) seen.add(reader.next());
            original.body().close();

            // The same key works on both instances: they share the database.
            HttpResponse<String> resumed = second.send(HttpRequest.newBuilder(URI.create(second.url("/v1/streams/" + streamId)))
                    .header("Authorization", "Bearer " + first.clientKey).header("Last-Event-ID", "4"));
            assertThat(resumed.statusCode()).isEqualTo(200);
            List<SseFrame> rest = SseFrames.parse(resumed.body());
            List<SseFrame> all = new ArrayList<>(seen);
            all.addAll(rest);
            for (int i = 0; i < all.size(); i++) assertThat(all.get(i).id()).isEqualTo(String.valueOf(i));
            assertThat(all.get(all.size() - 1).event()).isEqualTo("response.completed");
            StringBuilder text = new StringBuilder();
            all.stream().filter(f -> "response.output_text.delta".equals(f.event()))
                    .forEach(f -> text.append(SseFrames.json(f).path("delta").asText()));
            String expected = SseFrames.json(all.get(all.size() - 1)).path("response").path("output").get(0)
                    .path("content").get(0).path("text").asText();
            assertThat(text).hasToString(expected);
        }
    }
}
