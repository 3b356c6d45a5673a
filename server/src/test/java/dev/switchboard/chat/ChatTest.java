package dev.switchboard.chat;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /api/chat} over a Realtime WebSocket or Chat Completions, with the fallback, the cap and the status. */
class ChatTest {
    static final String HISTORY = """
            [{"role":"system","content":"Be brief."},
             {"role":"user","content":"first question"},{"role":"assistant","content":"Echo: first question"},
             {"role":"user","content":"second question"},{"role":"assistant","content":"Echo: second question"},
             {"role":"user","content":"third question"}]""";
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("SWITCHBOARD_LLM_MODEL", "gpt-realtime", "SWITCHBOARD_CHAT_FALLBACK_MODEL", "gpt-4o-mini",
                "SWITCHBOARD_CHAT_REALTIME_SOCKETS", "1", "SWITCHBOARD_CHAT_REALTIME_WAIT", "200ms",
                "OPENAI_CHATKIT_WORKFLOW_ID", "wf_support"));
        gw.emulator.script("gpt-realtime-slow", "{\"text\":\"one two three four five six seven eight\",\"delay_ms\":250}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aRealtimeModelAnswersAThreeTurnHistoryOverASocketOfItsOwn() throws Exception {
        Chat chat = chat("{\"stream\":true,\"messages\":" + HISTORY + "}");
        assertThat(chat.started().path("mode").asText()).isEqualTo("realtime");
        assertThat(chat.started().path("api_type").asText()).isEqualTo("Realtime WebSocket");
        assertThat(chat.started().path("model").asText()).isEqualTo("gpt-realtime");
        assertThat(chat.started().path("fallback").isNull()).isTrue();
        assertThat(chat.text()).isEqualTo("Echo: third question");
        assertThat(chat.deltas()).hasSizeGreaterThan(1);
        JsonNode completed = chat.event("chat-completed");
        assertThat(completed.path("text").asText()).isEqualTo("Echo: third question");
        // Input: the instructions (2 words) and the five history items (12 words) all reached the session.
        assertThat(completed.path("usage").path("input_tokens").asInt()).isEqualTo(14);
        assertThat(chat.names()).endsWith("chat-completed", "done");
        // The socket was the call's alone, and is closed now the answer is complete.
        awaitTrue(() -> gw.emulator.realtimeSessions() == 0);
        assertThat(requestLog(chat.requestId(), "/v1/realtime")).containsEntry("outcome", "completed");
    }

    @Test
    void anyOtherModelIsAnsweredOverChatCompletions() throws Exception {
        Chat chat = chat("{\"stream\":true,\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"max_tokens\":50,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello rest\"}]}");
        assertThat(chat.started().path("mode").asText()).isEqualTo("rest");
        assertThat(chat.started().path("api_type").asText()).isEqualTo("REST");
        assertThat(chat.text()).isEqualTo("Echo: hello rest");
        assertThat(chat.event("chat-completed").path("usage").path("total_tokens").asInt()).isPositive();
        var sent = gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/chat/completions")).reduce((a, b) -> b).orElseThrow();
        assertThat(Json.MAPPER.readTree(sent.body()).path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(Json.MAPPER.readTree(sent.body()).path("max_completion_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void aNonStreamingCallInEitherModeIsOneJsonBody() throws Exception {
        HttpResponse<String> realtime = gw.send(gw.post("/api/chat", "{\"messages\":" + HISTORY + "}"));
        assertThat(realtime.statusCode()).isEqualTo(200);
        JsonNode answer = Json.MAPPER.readTree(realtime.body());
        assertThat(answer.path("mode").asText()).isEqualTo("realtime");
        assertThat(answer.path("text").asText()).isEqualTo("Echo: third question");

        JsonNode rest = Json.MAPPER.readTree(gw.send(gw.post("/api/chat",
                "{\"stream\":false,\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"plain\"}]}")).body());
        assertThat(rest.path("mode").asText()).isEqualTo("rest");
        assertThat(rest.path("text").asText()).isEqualTo("Echo: plain");
    }

    @Test
    void aRefusedRealtimeSocketFallsBackToStreamingChatCompletions() throws Exception {
        long before = fallbacksCounted("realtime_failed");
        Chat chat = chat("{\"stream\":true,\"model\":\"gpt-realtime;fail=503\",\"messages\":[{\"role\":\"user\",\"content\":\"are you there\"}]}");
        assertThat(chat.started().path("mode").asText()).isEqualTo("rest");
        assertThat(chat.started().path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(chat.started().path("fallback").path("from").asText()).isEqualTo("gpt-realtime;fail=503");
        assertThat(chat.started().path("fallback").path("reason").asText()).contains("HTTP 503");
        assertThat(chat.text()).isEqualTo("Echo: are you there");
        // Streamed for real: one delta per upstream chunk, not a finished answer cut up afterwards.
        assertThat(chat.deltas()).containsExactly("Echo:", " are", " you", " there");

        assertThat(requestLog(chat.requestId(), "/v1/realtime")).containsEntry("outcome", "fallback");
        assertThat(requestLog(chat.requestId() + "-fallback", "/v1/chat/completions")).containsEntry("outcome", "completed");
        awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select count(*) from openai_debug_events where kind = 'fallback' and request_id = :id "
                                + "and error->>'message' like '%503%' and payload->>'to' = 'gpt-4o-mini'")
                .bind("id", chat.requestId()).mapTo(Long.class).one()) == 1);
        assertThat(fallbacksCounted("realtime_failed")).isEqualTo(before + 1);
    }

    @Test
    void aRealtimeAnswerThatBreaksAfterItsFirstTextEndsWithAnErrorAndIsNotRepeated() throws Exception {
        // Event 9 is the first delta: the socket is cut after the second.
        Chat chat = chat("{\"stream\":true,\"model\":\"gpt-realtime;drop_after=10\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there friend\"}]}");
        assertThat(chat.started().path("mode").asText()).isEqualTo("realtime");
        assertThat(chat.text()).isEqualTo("Echo: hello");
        assertThat(chat.names()).doesNotContain("chat-completed").endsWith("error", "done");
        assertThat(chat.event("error").path("code").asText()).isEqualTo("realtime_failed");
        assertThat(gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/chat/completions"))
                .anyMatch(r -> r.body().contains("hello there friend"))).isFalse();
        assertThat(requestLog(chat.requestId(), "/v1/realtime")).containsEntry("outcome", "upstream_failed");
    }

    @Test
    void pastTheSocketCapACallWaitsBrieflyThenTakesTheRestPath() throws Exception {
        long waits = metric("switchboard_chat_realtime_socket_waits_total");
        CompletableFuture<Chat> holding = CompletableFuture.supplyAsync(() -> chat(
                "{\"stream\":true,\"model\":\"gpt-realtime-slow\",\"messages\":[{\"role\":\"user\",\"content\":\"hold on\"}]}"));
        awaitTrue(() -> gw.emulator.realtimeSessions() == 1);
        JsonNode second = Json.MAPPER.readTree(gw.send(gw.post("/api/chat",
                "{\"model\":\"gpt-realtime-slow\",\"messages\":[{\"role\":\"user\",\"content\":\"me too\"}]}")).body());
        assertThat(second.path("mode").asText()).isEqualTo("rest");
        assertThat(second.path("fallback").path("reason").asText()).startsWith("capacity: all 1 Realtime sockets were busy");
        assertThat(holding.get().started().path("mode").asText()).isEqualTo("realtime");
        assertThat(holding.get().text()).isEqualTo("one two three four five six seven eight");
        assertThat(metric("switchboard_chat_realtime_socket_waits_total")).isEqualTo(waits + 1);
        assertThat(fallbacksCounted("capacity")).isPositive();
        assertThat(gw.send(gw.get("/metrics")).body()).contains("switchboard_chat_realtime_sockets_cap 1.0");
    }

    @Test
    void badChatRequestsAreRefusedWithOpenAiShapedErrors() throws Exception {
        assertThat(gw.send(gw.post("/api/chat", "{}")).statusCode()).isEqualTo(400);
        assertThat(gw.send(gw.post("/api/chat", "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}")).statusCode()).isEqualTo(400);
        HttpResponse<String> hot = gw.send(gw.post("/api/chat", "{\"temperature\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertThat(hot.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(hot.body()).path("error").path("param").asText()).isEqualTo("temperature");
        // A REST model the upstream does not know: its status, before any stream is opened.
        HttpResponse<String> unknown = gw.send(gw.post("/api/chat",
                "{\"stream\":true,\"model\":\"gpt-4o-mini;fail=404\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    }

    @Test
    void theAdminStatusSaysWhichModelAndApiAnswer() throws Exception {
        HttpResponse<String> response = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/status")))
                .header("Authorization", "Bearer " + gw.adminKey));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode status = Json.MAPPER.readTree(response.body());
        assertThat(status.path("model").asText()).isEqualTo("gpt-realtime");
        assertThat(status.path("api_type").asText()).isEqualTo("Realtime WebSocket");
        assertThat(status.path("fallback_model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(status.path("upstream").path("reachable").asBoolean()).isTrue();
        assertThat(status.path("version").asText()).isNotBlank();
        assertThat(status.path("fallbacks").has("since_start")).isTrue();
        assertThat(gw.send(gw.get("/api/admin/status")).statusCode()).isEqualTo(403);
    }

    @Test
    void aChatKitSessionIsMintedRecordedAndCancelled() throws Exception {
        HttpResponse<String> created = gw.send(gw.post("/api/chatkit/session", "{}"));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode session = Json.MAPPER.readTree(created.body());
        assertThat(session.path("client_secret").asText()).startsWith("ek_");
        assertThat(session.path("expires_at").asLong()).isGreaterThan(System.currentTimeMillis() / 1000);
        assertThat(session.path("upstream_id").asText()).startsWith("cksess_");
        assertThat(session.path("workflow").path("id").asText()).isEqualTo("wf_support");
        var sent = gw.emulator.requests().stream().filter(r -> r.path().equals("/v1/chatkit/sessions")).reduce((a, b) -> b).orElseThrow();
        assertThat(sent.header("OpenAI-Beta")).isEqualTo("chatkit_beta=v1");
        String owner = session.path("user").asText();
        assertThat(Json.MAPPER.readTree(sent.body()).path("user").asText()).isEqualTo(owner).isNotBlank();

        Map<String, Object> row = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select kind, status, upstream_id, expires_at is not null as expires from chatkit_sessions where id = :id")
                .bind("id", session.path("id").asText()).mapToMap().one());
        assertThat(row).containsEntry("kind", "chatkit").containsEntry("status", "active").containsEntry("expires", true);

        HttpResponse<String> cancelled = gw.send(gw.post("/api/chatkit/session/" + session.path("id").asText() + "/cancel", "{}"));
        assertThat(Json.MAPPER.readTree(cancelled.body()).path("status").asText()).isEqualTo("cancelled");
        assertThat(gw.send(gw.post("/api/chatkit/session/ckgw_unknown/cancel", "{}")).statusCode()).isEqualTo(404);
    }

    /** A streamed chat's events. */
    record Chat(String requestId, List<SseFrame> frames) {
        List<String> names() {
            return frames.stream().map(SseFrame::event).toList();
        }

        JsonNode event(String name) {
            return frames.stream().filter(f -> name.equals(f.event())).findFirst().map(SseFrames::json)
                    .orElseThrow(() -> new AssertionError("no " + name + " in " + names()));
        }

        JsonNode started() {
            return event("chat-started");
        }

        List<String> deltas() {
            List<String> deltas = new ArrayList<>();
            frames.stream().filter(f -> "text-delta".equals(f.event())).forEach(f -> deltas.add(SseFrames.json(f).path("delta").asText()));
            return deltas;
        }

        String text() {
            return String.join("", deltas());
        }
    }

    static Chat chat(String body) {
        HttpResponse<String> response = gw.send(gw.post("/api/chat", body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        return new Chat(response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow(), SseFrames.parse(response.body()));
    }

    static Map<String, Object> requestLog(String requestId, String endpoint) throws InterruptedException {
        awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from request_log where request_id = :id and endpoint = :e")
                .bind("id", requestId).bind("e", endpoint).mapTo(Long.class).one()) == 1);
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select * from request_log where request_id = :id and endpoint = :e")
                .bind("id", requestId).bind("e", endpoint).mapToMap().one());
    }

    static long fallbacksCounted(String reason) {
        return metric("switchboard_chat_fallbacks_total{reason=\"" + reason + "\"}");
    }

    static long metric(String name) {
        for (String line : gw.send(gw.get("/metrics")).body().split("\n")) {
            if (line.startsWith(name + " ")) return (long) Double.parseDouble(line.substring(name.length() + 1));
        }
        return 0;
    }
}
