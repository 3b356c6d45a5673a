package dev.switchboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The messages of the not-found and invalid-parameter errors of every route family, read once together: each is one
 * or more whole sentences, says nothing twice ("No run found with id 'x' not found."), and never shows a Java
 * {@code null} where a value was meant to be.
 */
class ErrorWordingTest {
    private static final Pattern REPEATED_WORD = Pattern.compile("(?i)\\b(\\w+)\\s+\\1\\b");
    /** A Java null printed where a value belonged: quoted, bracketed or after a colon ("JSON null" as a word is fine). */
    private static final Pattern NULL_WORD = Pattern.compile("['\"(\\[]null['\")\\]]|[:=]\\s*null\\b|\\bnull\\s+null\\b");
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_STREAMING_ENABLED", "true", "OPENAI_REALTIME_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void notFoundAndInvalidParameterMessagesReadAsWholeSentencesOnce() throws Exception {
        String thread = Json.MAPPER.readTree(gw.send(gw.post("/v1/threads", "{}")).body()).path("id").asText();
        String agent = Json.MAPPER.readTree(gw.send(gw.post("/api/agent/sessions", "{\"model\":\"gpt-4o-mini\"}")).body())
                .path("id").asText();
        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        // OpenAI-compatible routes
        answers.put("response", gw.send(gw.get("/v1/responses/resp_nope")));
        answers.put("response id", gw.send(gw.get("/v1/responses/not.an.id")));
        answers.put("conversation", gw.send(gw.get("/v1/conversations/conv_nope")));
        answers.put("previous response", gw.send(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"x\",\"previous_response_id\":\"resp_nope\"}")));
        answers.put("chat completions stream", gw.send(gw.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")));
        answers.put("chat completions model", gw.send(gw.post("/v1/chat/completions", "{\"messages\":[]}")));
        answers.put("stream", gw.send(gw.get("/v1/streams/strm_nope")));
        answers.put("stream id", gw.send(gw.get("/v1/streams/nope")));
        // Assistants
        answers.put("assistant", gw.send(gw.get("/v1/assistants/asst_nope")));
        answers.put("assistant id", gw.send(gw.get("/v1/assistants/not.an.id")));
        answers.put("assistant limit", gw.send(gw.get("/v1/assistants?limit=0")));
        answers.put("thread", gw.send(gw.get("/v1/threads/thread_nope")));
        answers.put("message", gw.send(gw.get("/v1/threads/" + thread + "/messages/msg_nope")));
        answers.put("run", gw.send(gw.get("/v1/threads/" + thread + "/runs/run_nope")));
        answers.put("run cancel", gw.send(gw.post("/v1/threads/" + thread + "/runs/run_nope/cancel", "{}")));
        answers.put("step", gw.send(gw.get("/v1/threads/" + thread + "/runs/run_nope/steps/step_nope")));
        answers.put("run without assistant", gw.send(gw.post("/v1/threads/" + thread + "/runs", "{}")));
        // Agents
        answers.put("agent session", gw.send(gw.get("/api/agent/sessions/asess_nope")));
        answers.put("agent runs", gw.send(gw.get("/api/agent/sessions/asess_nope/runs")));
        answers.put("agent run", gw.send(gw.post("/api/agent/runs/arun_nope/cancel", "{}")));
        answers.put("agent limit", gw.send(gw.get("/api/agent/sessions?limit=0")));
        answers.put("agent tools", gw.send(gw.post("/api/agent/sessions", "{\"tools\":[\"nope.tool\"]}")));
        answers.put("agent stream session", gw.send(gw.post("/api/agent/stream", "{\"session_id\":\"asess_nope\",\"input\":\"x\"}")));
        answers.put("agent stream input", gw.send(gw.post("/api/agent/stream", "{\"session_id\":\"" + agent + "\",\"input\":5}")));
        answers.put("agent stream part", gw.send(gw.post("/api/agent/stream",
                "{\"session_id\":\"" + agent + "\",\"input\":[{\"type\":\"audio\"}]}")));
        // Realtime
        answers.put("realtime session", gw.send(gw.get("/api/realtime/session/rtsess_nope")));
        answers.put("realtime call", gw.send(gw.post("/api/realtime/calls/rtc_nope/hangup", "{}")));
        answers.put("realtime method", gw.send(gw.post("/api/realtime/session", "{\"method\":\"nope\"}")));
        answers.put("realtime model", gw.send(gw.post("/api/realtime/session", "{\"method\":\"client_secret\",\"model\":\"nope\"}")));
        answers.put("voice session", gw.send(gw.get("/api/agent/realtime/session/rtsess_nope")));
        answers.put("voice agent", gw.send(gw.post("/api/agent/realtime/session", "{\"agentSessionId\":\"asess_nope\"}")));
        answers.put("voice restart", gw.send(gw.post("/api/agent/realtime/session/rtsess_nope/restart", "{}")));
        // Chat
        answers.put("chatkit session", gw.send(gw.post("/api/chatkit/session/cks_nope/cancel", "{}")));
        answers.put("chat messages", gw.send(gw.post("/api/chat", "{}")));
        answers.put("chat temperature", gw.send(gw.post("/api/chat",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}")));
        // Administration
        answers.put("key", admin("DELETE", "/api/admin/keys/key_nope"));
        answers.put("key rotation", admin("POST", "/api/admin/keys/key_nope/rotate"));
        answers.put("key limits", admin("GET", "/api/admin/keys/key_nope/limits"));
        answers.put("live stream", admin("DELETE", "/api/admin/streams/strm_nope"));
        answers.put("eval run", admin("GET", "/api/admin/eval-runs/evr_nope"));
        answers.put("requests limit", admin("GET", "/api/admin/requests?limit=0"));
        answers.put("debug events limit", admin("GET", "/api/admin/debug-events?limit=many"));
        answers.put("new key name", admin("POST", "/api/admin/keys", "{}"));
        answers.put("new key owner", admin("POST", "/api/admin/keys", "{\"name\":\"x\",\"owner\":\"\"}"));
        answers.put("key overlap", admin("POST", "/api/admin/keys/key_nope/rotate", "{\"overlap_seconds\":-1}"));
        answers.put("key limit name", admin("PUT", "/api/admin/keys/" + keyId() + "/limits", "{\"nope\":1}"));
        answers.put("key limit value", admin("PUT", "/api/admin/keys/" + keyId() + "/limits", "{\"requests_per_minute\":-1}"));
        answers.put("eval run scenarios", admin("POST", "/api/admin/eval-runs", "{}"));
        answers.put("audit page", admin("GET", "/api/admin/audit?before=nope"));
        // Documents
        answers.put("document type", gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/documents")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("not a document"))));
        answers.put("document", gw.send(HttpRequest.newBuilder(URI.create(gw.url("/documents/doc_nope?expires=1&key=key_x&signature=x")))
                .GET()));
        // More Assistants
        answers.put("assistant model", gw.send(gw.post("/v1/assistants", "{}")));
        answers.put("message role", gw.send(gw.post("/v1/threads/" + thread + "/messages", "{\"role\":\"robot\",\"content\":\"x\"}")));
        // The listener itself
        // (other /v1 paths are OpenAI's, forwarded, and answered in OpenAI's words)
        answers.put("unknown route", gw.send(gw.get("/api/nope")));
        answers.put("unknown route in the gateway's own family", gw.send(gw.get("/v1/assistants/asst_1/nope")));
        answers.put("wrong method", gw.send(gw.get("/api/chat")));

        List<String> wrong = new ArrayList<>();
        answers.forEach((what, answer) -> {
            String message = message(answer);
            if (answer.statusCode() < 400 || answer.statusCode() >= 500 || message == null) {
                wrong.add(what + ": expected a 4xx OpenAI-shaped error, got " + answer.statusCode() + " " + answer.body());
                return;
            }
            String problem = problem(message);
            if (problem != null) wrong.add(what + " (" + answer.statusCode() + "): " + problem + ": " + message);
        });
        assertThat(wrong).as("error messages that do not read well").isEmpty();
    }

    /** What is wrong with a message's wording, or null. */
    static String problem(String message) {
        if (message.isBlank()) return "empty";
        if (!message.strip().matches("(?s).*[.?!]$")) return "no final punctuation";
        if (NULL_WORD.matcher(message).find()) return "'null' in the text";
        var repeated = REPEATED_WORD.matcher(message);
        if (repeated.find()) return "the word '" + repeated.group(1) + "' twice in a row";
        if (message.toLowerCase().split("\\bfound\\b", -1).length > 2) return "'found' twice";
        String[] words = message.toLowerCase().replaceAll("[^a-z0-9' ]", " ").trim().split("\\s+");
        for (int i = 0; i + 2 < words.length; i++) {
            String phrase = words[i] + " " + words[i + 1] + " " + words[i + 2];
            for (int j = i + 1; j + 2 < words.length; j++) {
                if (phrase.equals(words[j] + " " + words[j + 1] + " " + words[j + 2])) return "'" + phrase + "' twice";
            }
        }
        return null;
    }

    @Test
    void theCheckCatchesTheWordingItIsFor() {
        assertThat(problem("No run found with id 'run_nope' not found.")).isEqualTo("'found' twice");
        assertThat(problem("No run found with id 'run_nope'")).isEqualTo("no final punctuation");
        assertThat(problem("Unknown method 'null'.")).isEqualTo("'null' in the text");
        assertThat(problem("The gateway could not reach the OpenAI API (status: null).")).isEqualTo("'null' in the text");
        assertThat(problem("'limit' must be a whole number, or null for no limit.")).isNull();
        assertThat(problem("The the key.")).contains("twice in a row");
        assertThat(problem("No run found with id 'run_nope'.")).isNull();
    }

    private static HttpResponse<String> admin(String method, String path) {
        return admin(method, path, method.equals("POST") ? "{}" : null);
    }

    private static HttpResponse<String> admin(String method, String path, String body) {
        return gw.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The id of the test's client key. */
    private static String keyId() {
        return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                        "select id from api_keys where key_hash = sha256(convert_to(:key, 'UTF8'))")
                .bind("key", gw.clientKey).mapTo(String.class).one());
    }

    private static String message(HttpResponse<String> answer) {
        try {
            JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
            return error.path("message").isTextual() ? error.path("message").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
