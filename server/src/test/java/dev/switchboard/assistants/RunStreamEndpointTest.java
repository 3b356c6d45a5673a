package dev.switchboard.assistants;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 000's run event stream endpoint: attach, follow, resume, replay, and its tokens. */
class RunStreamEndpointTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_STREAM_RETENTION", "1s"));
        gw.emulator.script("attach-slow", "{\"tokens\":40,\"delay_ms\":30}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void attachingMidwayReplaysThenFollowsLiveToDone() throws Exception {
        String[] ids = startRun("attach-slow", "tell me");
        Thread.sleep(400);
        HttpResponse<String> response = gw.send(gw.get(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1]));
        assertThat(response.statusCode()).isEqualTo(200);
        List<SseFrame> frames = SseFrames.parse(response.body());
        assertThat(frames.get(0).event()).isEqualTo("thread.run.created");
        assertThat(frames.get(0).id()).isEqualTo("0-0");
        assertThat(frames.get(frames.size() - 2).event()).isEqualTo("thread.run.completed");
        assertThat(frames.get(frames.size() - 1).event()).isEqualTo("done");
        assertThat(frames.get(frames.size() - 1).data()).isEqualTo("[DONE]");
        assertThat(text(frames)).isEqualTo(finalMessage(ids[0]));
    }

    @Test
    void resumesAfterLastEventIdWithNoGapOrDuplicate() throws Exception {
        String[] ids = startRun("attach-slow", "resume me");
        HttpResponse<InputStream> first = gw.open(gw.get(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1]));
        List<SseFrame> seen = new ArrayList<>();
        SseReader reader = new SseReader(first.body());
        while (seen.size() < 8) {
            SseFrame f = reader.next();
            if (f.hasData()) seen.add(f);
        }
        first.body().close();
        String last = seen.get(seen.size() - 1).id();
        List<SseFrame> rest = SseFrames.parse(gw.send(gw.get(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1])
                .header("Last-Event-ID", last)).body());
        assertThat(rest.get(0).id()).isEqualTo("0-" + (Long.parseLong(last.substring(2)) + 1));
        List<SseFrame> all = new ArrayList<>(seen);
        all.addAll(rest);
        assertThat(text(all)).isEqualTo(finalMessage(ids[0]));
        assertThat(all.stream().map(SseFrame::id).distinct().count()).isEqualTo(all.size());
    }

    @Test
    void aFinishedRunWithToolCallsReplaysBothStretchesFromTheDatabase() throws Exception {
        String assistant = json(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini;tool=get_weather\",\"tools\":"
                + "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}")).body()).path("id").asText();
        String thread = json(gw.send(gw.post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"Paris?\"}]}")).body())
                .path("id").asText();
        String waiting = gw.send(gw.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + assistant + "\",\"stream\":true}")).body();
        JsonNode action = SseFrames.json(SseFrames.parse(waiting).stream().filter(f -> "thread.run.requires_action".equals(f.event()))
                .findFirst().orElseThrow());
        String run = action.path("id").asText();
        String callId = action.path("required_action").path("submit_tool_outputs").path("tool_calls").get(0).path("id").asText();
        gw.send(gw.post("/v1/threads/" + thread + "/runs/" + run + "/submit_tool_outputs",
                "{\"stream\":true,\"tool_outputs\":[{\"tool_call_id\":\"" + callId + "\",\"output\":\"rainy\"}]}"));
        Thread.sleep(2_500); // past the 1 s retention: the logs are gone, the archive remains

        List<SseFrame> frames = SseFrames.parse(gw.send(gw.get(RunStreamRoutes.PREFIX + thread + "/" + run)).body());
        List<String> events = frames.stream().map(SseFrame::event).toList();
        assertThat(events).contains("thread.run.requires_action", "thread.run.step.completed", "thread.run.completed");
        assertThat(events.stream().filter("done"::equals).count()).isEqualTo(1);
        assertThat(events.get(events.size() - 1)).isEqualTo("done");
        assertThat(frames.get(0).id()).isEqualTo("0-0");
        assertThat(frames.get(frames.size() - 1).id()).startsWith("1-");
        assertThat(text(frames)).isEqualTo("The tool returned: rainy");
    }

    @Test
    void badUnknownAndUnauthorisedRequestsAreRefused() {
        String[] ids = startRun("gpt-4o-mini", "x");
        String otherThread = json(gw.send(gw.post("/v1/threads", "{}")).body()).path("id").asText();
        assertError(gw.send(gw.get(RunStreamRoutes.PREFIX + "not-a-thread/" + ids[1])), 400, "invalid_value");
        assertError(gw.send(gw.get(RunStreamRoutes.PREFIX + ids[0] + "/run_doesnotexist")), 404, "not_found");
        assertError(gw.send(gw.get(RunStreamRoutes.PREFIX + otherThread + "/" + ids[1])), 404, "not_found");
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1])))), 401,
                "missing_api_key");
        assertError(gw.send(gw.get(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1]).header("Last-Event-ID", "12")), 400,
                "invalid_value");
    }

    @Test
    void aBrowserReadsWithAShortLivedTokenScopedToOneRun() {
        String[] ids = startRun("gpt-4o-mini", "token please");
        String[] other = startRun("gpt-4o-mini", "another");
        HttpResponse<String> minted = gw.send(gw.post(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1] + "/token", "{}"));
        assertThat(minted.statusCode()).isEqualTo(201);
        String token = json(minted.body()).path("token").asText();
        String url = json(minted.body()).path("url").asText();

        HttpResponse<String> viaToken = gw.send(HttpRequest.newBuilder(URI.create(gw.url(url))));
        assertThat(viaToken.statusCode()).isEqualTo(200);
        assertThat(viaToken.body()).endsWith("event: done\ndata: [DONE]\n\n");

        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url(RunStreamRoutes.PREFIX + other[0] + "/" + other[1]
                + "?access_token=" + token)))), 403, "token_scope");
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/models?access_token=" + token)))), 401, "missing_api_key");
        assertError(gw.send(HttpRequest.newBuilder(URI.create(gw.url(RunStreamRoutes.PREFIX + ids[0] + "/" + ids[1]
                + "?access_token=" + token.substring(0, token.length() - 3) + "AAA")))), 401, "invalid_stream_token");
    }

    /** Starts a run (not streamed) on a new thread; returns {threadId, runId}. */
    private static String[] startRun(String model, String userText) {
        String assistant = json(gw.send(gw.post("/v1/assistants", "{\"model\":\"" + model + "\"}")).body()).path("id").asText();
        String thread = json(gw.send(gw.post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + userText + "\"}]}"))
                .body()).path("id").asText();
        String run = json(gw.send(gw.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + assistant + "\"}")).body())
                .path("id").asText();
        return new String[] {thread, run};
    }

    private static String text(List<SseFrame> frames) {
        StringBuilder text = new StringBuilder();
        for (SseFrame f : frames) {
            if (!"thread.message.delta".equals(f.event())) continue;
            for (JsonNode part : SseFrames.json(f).path("delta").path("content")) text.append(part.path("text").path("value").asText());
        }
        return text.toString();
    }

    private static String finalMessage(String thread) {
        JsonNode list = json(gw.send(gw.get("/v1/threads/" + thread + "/messages?order=desc&limit=1")).body());
        return list.path("data").get(0).path("content").get(0).path("text").path("value").asText();
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }
}
