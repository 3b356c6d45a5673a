package dev.switchboard.faults;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.OwnRedis;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Run streams (agent turns, Assistants runs) while Redis, which holds the shared event log, stops or restarts
 * (issue 15, item 13). A run's own client gets every event in order, then {@code done}, whatever Redis does; a
 * reader following the stream on another instance ends with an error event in the API's shape when the log cannot
 * be read, never with a silent end; and once Redis is back, the stream reaches other instances complete, with no gap.
 */
class RedisStreamOutageTest {
    private static final String MODEL = "redis-outage-run";

    @Test
    void aRunsOwnClientGetsEveryEventThenDoneWhenRedisStopsMidRunOrIsAlreadyAway() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway gw = TestGateway.start(Map.of("REDIS_URL", redis.url(), "OPENAI_STREAMING_ENABLED", "true"))) {
            gw.emulator.script(MODEL, "{\"tokens\":60,\"delay_ms\":30}");
            String session = agentSession(gw);
            String assistant = Json.MAPPER.readTree(gw.send(gw.post("/v1/assistants", "{\"model\":\"" + MODEL + "\"}")).body())
                    .path("id").asText();

            // Stopped mid-run: an agent turn and an Assistants run each go on to their end for their client.
            HttpResponse<InputStream> agent = gw.open(gw.post("/api/agent/stream", "{\"session_id\":\"" + session + "\",\"input\":\"go\"}"));
            HttpResponse<InputStream> run = gw.open(gw.post("/v1/threads/runs", "{\"assistant_id\":\"" + assistant + "\",\"stream\":true,"
                    + "\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}}"));
            SseReader agentEvents = new SseReader(agent.body());
            SseReader runEvents = new SseReader(run.body());
            List<SseFrame> agentFrames = new ArrayList<>(List.of(agentEvents.next(), agentEvents.next()));
            List<SseFrame> runFrames = new ArrayList<>(List.of(runEvents.next(), runEvents.next()));
            redis.stop();
            readToEnd(agentEvents, agentFrames);
            readToEnd(runEvents, runFrames);
            assertComplete(agentFrames, "run-completed");
            assertComplete(runFrames, "thread.run.completed");

            // Away before the run starts: still every event, not a 200 with nothing in it.
            HttpResponse<String> during = gw.send(gw.post("/api/agent/stream", "{\"session_id\":\"" + session + "\",\"input\":\"again\"}"));
            assertThat(during.statusCode()).isEqualTo(200);
            assertComplete(SseFrames.parse(during.body()), "run-completed");
            String metrics = gw.send(gw.get("/metrics")).body();
            assertThat(metrics).containsPattern("switchboard_stream_log_kept_locally [1-9]");
        }
    }

    @Test
    void aReaderOnAnotherInstanceEndsWithAnErrorEventWhenTheLogCannotBeRead() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway writer = TestGateway.start(Map.of("REDIS_URL", redis.url(), "OPENAI_STREAMING_ENABLED", "true"));
             TestGateway reader = TestGateway.start(Map.of("REDIS_URL", redis.url(), "OPENAI_STREAMING_ENABLED", "true"))) {
            writer.emulator.script(MODEL, "{\"tokens\":200,\"delay_ms\":30}");
            HttpResponse<InputStream> own = writer.open(writer.post("/api/agent/stream",
                    "{\"session_id\":\"" + agentSession(writer) + "\",\"input\":\"go\"}"));
            String streamId = own.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
            HttpResponse<InputStream> followed = reader.open(reader.get("/v1/streams/" + streamId)
                    .setHeader("Authorization", "Bearer " + writer.clientKey));
            assertThat(followed.statusCode()).isEqualTo(200);
            SseReader events = new SseReader(followed.body());
            List<SseFrame> frames = new ArrayList<>(List.of(events.next(), events.next()));
            // An Assistants run of the writer, attached to on the other instance (seed 000's endpoint).
            String assistant = Json.MAPPER.readTree(writer.send(writer.post("/v1/assistants", "{\"model\":\"" + MODEL + "\"}"))
                    .body()).path("id").asText();
            var run = Json.MAPPER.readTree(writer.send(writer.post("/v1/threads/runs", "{\"assistant_id\":\"" + assistant
                    + "\",\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}}")).body());
            HttpResponse<InputStream> attached = reader.open(reader.get("/api/v1/openai-realtime/" + run.path("thread_id").asText() + "/"
                    + run.path("id").asText()).setHeader("Authorization", "Bearer " + writer.clientKey));
            assertThat(attached.statusCode()).isEqualTo(200);
            SseReader runEvents = new SseReader(attached.body());
            List<SseFrame> runFrames = new ArrayList<>(List.of(runEvents.next(), runEvents.next()));

            redis.stop();
            readToEnd(events, frames);
            SseFrame error = frames.get(frames.size() - 2);
            assertThat(error.event()).isEqualTo("error");
            assertThat(SseFrames.json(error).path("code").asText()).isEqualTo("stream_log_unavailable");
            assertThat(frames.getLast().event()).isEqualTo("done");
            readToEnd(runEvents, runFrames);
            assertThat(runFrames.get(runFrames.size() - 2).event()).isEqualTo("error");
            assertThat(SseFrames.json(runFrames.get(runFrames.size() - 2)).path("code").asText()).isEqualTo("stream_log_unavailable");
            assertThat(runFrames.getLast().event()).isEqualTo("done");
            // The writer's own client is not affected.
            List<SseFrame> ownFrames = new ArrayList<>();
            readToEnd(new SseReader(own.body()), ownFrames);
            assertComplete(ownFrames, "run-completed");
        }
    }

    @Test
    void aStreamWrittenWhileRedisRestartedReachesAnotherInstanceWithNoGap() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway writer = TestGateway.start(Map.of("REDIS_URL", redis.url(), "OPENAI_STREAMING_ENABLED", "true"));
             TestGateway reader = TestGateway.start(Map.of("REDIS_URL", redis.url(), "OPENAI_STREAMING_ENABLED", "true"))) {
            writer.emulator.script(MODEL, "{\"tokens\":60,\"delay_ms\":30}");
            HttpResponse<InputStream> own = writer.open(writer.post("/api/agent/stream",
                    "{\"session_id\":\"" + agentSession(writer) + "\",\"input\":\"go\"}"));
            String streamId = own.headers().firstValue("X-Switchboard-Stream-Id").orElseThrow();
            SseReader ownEvents = new SseReader(own.body());
            List<SseFrame> ownFrames = new ArrayList<>(List.of(ownEvents.next(), ownEvents.next(), ownEvents.next()));
            redis.stop();
            Thread.sleep(300); // a few events are written while Redis is away
            redis.startAgain();
            readToEnd(ownEvents, ownFrames);
            assertComplete(ownFrames, "run-completed");

            // Redis came back empty: the writer gives it the whole stream again, in order, and a reader elsewhere
            // gets exactly what the writer's client got.
            awaitTrue(() -> reader.send(reader.get("/v1/streams/" + streamId).setHeader("Authorization", "Bearer " + writer.clientKey))
                    .statusCode() == 200);
            List<SseFrame> elsewhere = SseFrames.parse(reader.send(reader.get("/v1/streams/" + streamId)
                    .setHeader("Authorization", "Bearer " + writer.clientKey).header("Last-Event-ID", "-1")).body());
            assertThat(elsewhere.stream().map(SseFrame::raw).toList())
                    .containsExactlyElementsOf(ownFrames.stream().map(SseFrame::raw).toList());
        }
    }

    private static String agentSession(TestGateway gw) throws Exception {
        HttpResponse<String> created = gw.send(gw.post("/api/agent/sessions", "{\"model\":\"" + MODEL + "\",\"instructions\":\"Be brief.\"}"));
        return Json.MAPPER.readTree(created.body()).path("id").asText();
    }

    private static void readToEnd(SseReader reader, List<SseFrame> frames) throws Exception {
        for (SseFrame frame; (frame = reader.next()) != null; ) if (frame.hasData()) frames.add(frame);
    }

    /** Every event, numbered from 0 with none missing, the run's completion, then {@code done}. */
    private static void assertComplete(List<SseFrame> frames, String completed) {
        assertThat(frames).as("events").isNotEmpty();
        for (int i = 0; i < frames.size(); i++) assertThat(frames.get(i).id()).as("event %d", i).isEqualTo(String.valueOf(i));
        List<String> names = frames.stream().map(SseFrame::event).toList();
        assertThat(names).contains(completed).doesNotContain("error");
        assertThat(names.getLast()).isEqualTo("done");
    }
}
