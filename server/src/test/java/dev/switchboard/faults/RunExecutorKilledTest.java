package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Await;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A gateway instance executing an Assistants run and an agent run is killed outright, with no Redis configured: the
 * database alone tells the surviving instance that the executor is gone, and within a minute it fails both runs and
 * the run's thread takes a new one (instead of answering {@code thread_busy} for good).
 */
class RunExecutorKilledTest {
    private static final String MODEL = "killed-executor";
    /** Short, so the test is quick; the defaults (30 s and 10 s) are in docs/operations.md. */
    private static final Map<String, String> LEASE = Map.of("SWITCHBOARD_INSTANCE_LEASE", "3s", "SWITCHBOARD_INSTANCE_HEARTBEAT", "500ms");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void runsOfAKilledInstanceAreFailedByAnotherAndTheirThreadIsFree() throws Exception {
        java.util.HashMap<String, String> settings = new java.util.HashMap<>(LEASE);
        settings.put("OPENAI_STREAMING_ENABLED", "true");
        try (TestGateway survivor = TestGateway.start(settings)) {
            survivor.emulator.script(MODEL, "{\"tokens\":400,\"delay_ms\":40}");
            String assistant = id(survivor.send(survivor.post("/v1/assistants", "{\"model\":\"" + MODEL + "\"}")));
            String thread = id(survivor.send(survivor.post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}]}")));
            String session = id(survivor.send(survivor.post("/api/agent/sessions", "{\"model\":\"" + MODEL + "\"}")));
            try (GatewayProcess doomed = GatewayProcess.start(survivor, LEASE)) {
                HttpResponse<InputStream> run = open(survivor, doomed, "/v1/threads/" + thread + "/runs",
                        "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}");
                HttpResponse<InputStream> agent = open(survivor, doomed, "/api/agent/stream",
                        "{\"session_id\":\"" + session + "\",\"input\":\"long\"}");
                String runId = SseFrames.json(RunOutageTest.readUntil(run.body(), "thread.run.in_progress").getLast()).path("id").asText();
                RunOutageTest.readUntil(agent.body(), "text-delta");
                String agentRun = agent.headers().firstValue("X-Switchboard-Agent-Run-Id").orElseThrow();

                doomed.process.destroyForcibly();
                assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                run.body().close();
                agent.body().close();
                HttpResponse<String> busy = survivor.send(survivor.post("/v1/threads/" + thread + "/runs",
                        "{\"assistant_id\":\"" + assistant + "\"}"));
                assertThat(busy.body()).contains("thread_busy");

                // Within a minute, on the surviving instance and with no Redis: both runs failed, the thread free.
                String path = "/v1/threads/" + thread + "/runs/" + runId;
                Await.until(Duration.ofSeconds(60), () -> "failed".equals(field(survivor.send(survivor.get(path)), "status")));
                JsonNode failed = Json.MAPPER.readTree(survivor.send(survivor.get(path)).body());
                assertThat(failed.path("last_error").path("code").asText()).isEqualTo("server_error");
                assertThat(failed.path("last_error").path("message").asText()).contains("stopped");
                Await.until(Duration.ofSeconds(60), () -> "failed".equals(survivor.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select status from agent_runs where id = :id").bind("id", agentRun).mapTo(String.class).one())));

                survivor.emulator.script(MODEL, "{\"text\":\"Here again.\"}");
                String again = survivor.send(survivor.post("/v1/threads/" + thread + "/runs",
                        "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}")).body();
                assertThat(SseFrames.parse(again).stream().map(SseFrame::event)).contains("thread.run.completed");
            }
        }
    }

    private HttpResponse<InputStream> open(TestGateway survivor, GatewayProcess instance, String path, String body)
            throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(instance.url(path)))
                .header("Authorization", "Bearer " + survivor.clientKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private static String id(HttpResponse<String> created) throws IOException {
        assertThat(created.statusCode()).as(created.body()).isBetween(200, 201);
        return Json.MAPPER.readTree(created.body()).path("id").asText();
    }

    private static String field(HttpResponse<String> response, String name) {
        try {
            return Json.MAPPER.readTree(response.body()).path(name).asText();
        } catch (IOException e) {
            return null;
        }
    }
}
