package dev.switchboard.faults;

import static dev.switchboard.ErrorAssertions.assertError;
import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.debug.DatabaseOutageTest.OwnPostgres;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The database stops in the middle of an Assistants run and an agent run: both streams end with their API's
 * terminal failure (never a bare {@code done}), every route that needs the database answers 503
 * {@code database_unavailable} meanwhile, and once the database is back both runs read failed and the thread takes a
 * new run.
 */
class RunOutageTest {
    private static final String RUN_MODEL = "outage-run";
    private static final String AGENT_MODEL = "outage-agent";

    @Test
    void runsStoppedByAnOutageEndWithTheirFailureAndAreRecordedOnceTheDatabaseIsBack() throws Exception {
        OwnPostgres database = OwnPostgres.create();
        EmbeddedPostgres postgres = database.start();
        try (TestGateway gw = TestGateway.start(Map.of("DATABASE_URL", database.url(), "OPENAI_STREAMING_ENABLED", "true",
                "SWITCHBOARD_INSTANCE_LEASE", "3s", "SWITCHBOARD_INSTANCE_HEARTBEAT", "500ms"))) {
            gw.emulator.script(RUN_MODEL, "{\"tokens\":100,\"delay_ms\":60}");
            gw.emulator.script(AGENT_MODEL, "{\"tokens\":100,\"delay_ms\":60}");
            String assistant = id(gw.send(gw.post("/v1/assistants", "{\"model\":\"" + RUN_MODEL + "\"}")));
            String thread = id(gw.send(gw.post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")));
            String session = id(gw.send(gw.post("/api/agent/sessions", "{\"model\":\"" + AGENT_MODEL + "\"}")));
            assertThat(gw.send(admin(gw, "/api/admin/requests")).statusCode()).isEqualTo(200); // the admin key is verified

            HttpResponse<InputStream> run = gw.open(gw.post("/v1/threads/" + thread + "/runs",
                    "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}"));
            HttpResponse<InputStream> agent = gw.open(gw.post("/api/agent/stream",
                    "{\"session_id\":\"" + session + "\",\"input\":\"hello\"}"));
            assertThat(run.statusCode()).isEqualTo(200);
            assertThat(agent.statusCode()).isEqualTo(200);
            String agentRun = agent.headers().firstValue("X-Switchboard-Agent-Run-Id").orElseThrow();
            List<SseFrame> runFrames = readUntil(run.body(), "thread.message.delta");
            List<SseFrame> agentFrames = readUntil(agent.body(), "text-delta");

            postgres.close();
            runFrames.addAll(readRest(run.body()));
            agentFrames.addAll(readRest(agent.body()));

            // The Assistants stream: the run's failure, its error, then done; nothing says it completed.
            List<String> runEvents = runFrames.stream().map(SseFrame::event).toList();
            assertThat(runEvents).doesNotContain("thread.run.completed");
            assertThat(runEvents.subList(runEvents.size() - 3, runEvents.size())).containsExactly("thread.run.failed", "error", "done");
            JsonNode failed = SseFrames.json(runFrames.get(runFrames.size() - 3));
            String runId = failed.path("id").asText();
            assertThat(failed.path("status").asText()).isEqualTo("failed");
            assertThat(failed.path("last_error").path("code").asText()).isEqualTo("server_error");
            assertThat(failed.path("last_error").path("message").asText()).contains("database");
            // The agent stream: an error event, then done.
            List<String> agentEvents = agentFrames.stream().map(SseFrame::event).toList();
            assertThat(agentEvents).doesNotContain("run-completed");
            assertThat(agentEvents.subList(agentEvents.size() - 2, agentEvents.size())).containsExactly("error", "done");

            // Every route that needs the database says so, with the same 503.
            assertError(gw.send(gw.get("/v1/assistants")), 503, "database_unavailable");
            assertError(gw.send(gw.get("/v1/threads/" + thread + "/runs/" + runId)), 503, "database_unavailable");
            assertError(gw.send(gw.get("/api/agent/sessions")), 503, "database_unavailable");
            assertError(gw.send(admin(gw, "/api/admin/requests")), 503, "database_unavailable");
            assertError(gw.send(admin(gw, "/api/admin/agent-sessions")), 503, "database_unavailable");
            assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/documents")))
                    .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}))),
                    503, "database_unavailable");

            postgres = database.start();
            awaitTrue(() -> status(gw, "/v1/threads/" + thread + "/runs/" + runId).equals("failed"));
            JsonNode stored = Json.MAPPER.readTree(gw.send(gw.get("/v1/threads/" + thread + "/runs/" + runId)).body());
            assertThat(stored.path("last_error").path("code").asText()).isEqualTo("server_error");
            awaitTrue(() -> "failed".equals(agentRunStatus(gw, agentRun)));

            // The thread is free: a new run on it completes.
            gw.emulator.script(RUN_MODEL, "{\"text\":\"Back again.\"}");
            String again = gw.send(gw.post("/v1/threads/" + thread + "/runs",
                    "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}")).body();
            assertThat(SseFrames.parse(again).stream().map(SseFrame::event)).contains("thread.run.completed");
        } finally {
            postgres.close();
        }
    }

    /** Reads events up to and including the first {@code event}. */
    static List<SseFrame> readUntil(InputStream body, String event) throws IOException {
        SseReader reader = new SseReader(body);
        List<SseFrame> frames = new ArrayList<>();
        for (SseFrame f; (f = reader.next()) != null; ) {
            if (!f.hasData()) continue;
            frames.add(f);
            if (event.equals(f.event())) return frames;
        }
        throw new AssertionError("the stream ended before " + event + ": " + frames.stream().map(SseFrame::event).toList());
    }

    static List<SseFrame> readRest(InputStream body) throws IOException {
        try (body) {
            return SseFrames.parse(new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static String id(HttpResponse<String> created) throws IOException {
        assertThat(created.statusCode()).as(created.body()).isBetween(200, 201);
        return Json.MAPPER.readTree(created.body()).path("id").asText();
    }

    private static String status(TestGateway gw, String path) {
        HttpResponse<String> response = gw.send(gw.get(path));
        if (response.statusCode() != 200) return "unreadable " + response.statusCode();
        try {
            return Json.MAPPER.readTree(response.body()).path("status").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String agentRunStatus(TestGateway gw, String runId) {
        try {
            return gw.gateway.database().jdbi().withHandle(h -> h.createQuery("select status from agent_runs where id = :id")
                    .bind("id", runId).mapTo(String.class).one());
        } catch (RuntimeException databaseStillDown) {
            return null;
        }
    }

    private static HttpRequest.Builder admin(TestGateway gw, String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey);
    }
}
