package dev.switchboard.realtime;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Voice sessions made from agent sessions: created, used, restarted with the transcript carried, all in the database. */
class AgentVoiceSessionTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "OPENAI_REALTIME_VOICE", "verse",
                "OPENAI_TRANSCRIPTION_MODEL", "gpt-4o-mini-transcribe", "OPENAI_TTS_FORMAT", "wav"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aVoiceSessionIsRecordedAndARestartCarriesItsTranscript() throws Exception {
        String agent = json(post(gw.clientKey, "/api/agent/sessions",
                "{\"name\":\"concierge\",\"model\":\"gpt-4o-mini\",\"instructions\":\"Answer as a hotel concierge.\"}")).path("id").asText();

        HttpResponse<String> created = post(gw.clientKey, "/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode first = json(created);
        assertThat(first.path("status").asText()).isEqualTo("created");
        assertThat(first.path("agent_session_id").asText()).isEqualTo(agent);
        assertThat(first.path("voice").asText()).isEqualTo("verse");
        assertThat(created.body()).doesNotContain("ek_").doesNotContain(TestGateway.UPSTREAM_KEY);

        List<String> firstTypes = talk(first.path("client_secret").path("value").asText(), "where is breakfast");
        assertThat(firstTypes).startsWith("session.created", "session.updated");
        JsonNode firstRow = awaitEnded(first.path("id").asText());
        assertThat(firstRow.path("upstream_id").asText()).startsWith("sess_");
        assertThat(firstRow.path("transcript")).hasSize(2);
        assertThat(firstRow.path("transcript").get(0).path("role").asText()).isEqualTo("user");
        assertThat(firstRow.path("transcript").get(0).path("text").asText()).isEqualTo("where is breakfast");
        assertThat(firstRow.path("transcript").get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(firstRow.path("transcript").get(1).path("text").asText()).isEqualTo("Echo: where is breakfast");
        assertThat(firstRow.path("usage").path("total_tokens").asLong()).isPositive();

        HttpResponse<byte[]> speech = RealtimeRelayTest.HTTP.send(HttpRequest.newBuilder(
                        URI.create(gw.url("/api/agent/realtime/session/" + first.path("id").asText() + "/speech")))
                .header("Authorization", "Bearer " + gw.clientKey).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(speech.statusCode()).isEqualTo(200);
        assertThat(speech.headers().firstValue("Content-Type")).hasValue("audio/wav");
        assertThat(new String(speech.body(), 0, 4)).isEqualTo("RIFF");
        // The emulator speaks 120 ms per word: "where is breakfast" and "Echo: where is breakfast" are 7 words.
        assertThat(speech.body().length).isEqualTo(44 + 7 * 2880 * 2);
        String speechRequest = speech.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
        awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from request_log where request_id = :id and endpoint = '/v1/audio/speech' and outcome = 'completed'")
                .bind("id", speechRequest).mapTo(Long.class).one()) == 1);

        HttpResponse<String> restarted = post(gw.clientKey, "/api/agent/realtime/session/" + first.path("id").asText() + "/restart", "{}");
        assertThat(restarted.statusCode()).isEqualTo(201);
        JsonNode second = json(restarted);
        assertThat(second.path("previous_session_id").asText()).isEqualTo(first.path("id").asText());
        assertThat(second.path("agent_session_id").asText()).isEqualTo(agent);

        List<String> secondTypes = talk(second.path("client_secret").path("value").asText(), "and dinner");
        assertThat(secondTypes.stream().filter("conversation.item.done"::equals).count()).as(secondTypes.toString()).isEqualTo(4);
        JsonNode secondRow = awaitEnded(second.path("id").asText());
        List<String> texts = new ArrayList<>();
        secondRow.path("transcript").forEach(e -> texts.add(e.path("role").asText() + ": " + e.path("text").asText()));
        assertThat(texts).containsExactly("user: where is breakfast", "assistant: Echo: where is breakfast",
                "user: and dinner", "assistant: Echo: and dinner");

        Map<String, Object> rows = gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) as n, count(previous_session_id) as linked from chatkit_sessions where agent_session_id = :a")
                .bind("a", agent).mapToMap().one());
        assertThat(rows.get("n")).isEqualTo(2L);
        assertThat(rows.get("linked")).isEqualTo(1L);
    }

    @Test
    void spokenTurnsAreTranscribedIntoTheTranscript() throws Exception {
        String agent = json(post(gw.clientKey, "/api/agent/sessions", "{\"name\":\"listener\",\"model\":\"gpt-4o-mini\"}"))
                .path("id").asText();
        JsonNode session = json(post(gw.clientKey, "/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}"));
        assertThat(get("/api/agent/realtime/session/" + session.path("id").asText() + "/speech").statusCode())
                .as("nothing said yet").isEqualTo(409);
        try (RealtimeRelayTest.Client client = RealtimeRelayTest.Client.connect(gw, "gpt-realtime",
                List.of("Authorization", "Bearer " + session.path("client_secret").path("value").asText()), List.of())) {
            JsonNode updated = client.next("session.updated");
            assertThat(updated.path("session").path("audio").path("input").path("transcription").path("model").asText())
                    .isEqualTo("gpt-4o-mini-transcribe");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
            client.send(append(tone(500)));
            client.send(append(new byte[400 * 48]));
            client.next("conversation.item.input_audio_transcription.completed");
            client.next("response.done");
        }
        JsonNode row = awaitEnded(session.path("id").asText());
        List<String> texts = new ArrayList<>();
        row.path("transcript").forEach(e -> texts.add(e.path("role").asText() + ": " + e.path("text").asText()));
        assertThat(texts).hasSize(2);
        assertThat(texts.get(0)).startsWith("user: Spoken audio of ");
        assertThat(texts.get(1)).startsWith("assistant: Echo: Spoken audio of ");
        assertThat(get("/api/agent/realtime/session/rtsess_unknown/speech").statusCode()).isEqualTo(404);
    }

    private static String append(byte[] pcm) {
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + java.util.Base64.getEncoder().encodeToString(pcm) + "\"}";
    }

    private static byte[] tone(int ms) {
        byte[] pcm = new byte[ms * 48];
        for (int i = 0; i < pcm.length / 2; i++) {
            short sample = (short) (8000 * Math.sin(2 * Math.PI * 300 * i / 24000.0));
            pcm[2 * i] = (byte) sample;
            pcm[2 * i + 1] = (byte) (sample >> 8);
        }
        return pcm;
    }

    @Test
    void theAgentsToolsAreOfferedAndRunByTheGatewayInTheVoiceSession() throws Exception {
        try (TestGateway own = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true",
                "OPENAI_REALTIME_MODEL", "gpt-realtime-tools", "SWITCHBOARD_REALTIME_MODELS", "gpt-realtime-tools"))) {
            own.emulator.script("gpt-realtime-tools",
                    "{\"tool_call\":{\"name\":\"math__calculate\",\"arguments\":{\"expression\":\"6*7\"}}}");
            String agent = json(own.send(own.post("/api/agent/sessions",
                    "{\"name\":\"reckoner\",\"model\":\"gpt-4o-mini\",\"tools\":[\"math.calculate\"]}"))).path("id").asText();
            JsonNode session = json(own.send(own.post("/api/agent/realtime/session", "{\"agentSessionId\":\"" + agent + "\"}")));
            try (RealtimeRelayTest.Client client = RealtimeRelayTest.Client.connect(own, "gpt-realtime-tools",
                    List.of("Authorization", "Bearer " + session.path("client_secret").path("value").asText()), List.of())) {
                JsonNode updated = client.next("session.updated");
                assertThat(updated.path("session").path("tools").get(0).path("name").asText()).isEqualTo("math__calculate");
                // Text, so that the response the gateway asks for after the tool answers in text too.
                client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
                client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                        + "\"content\":[{\"type\":\"input_text\",\"text\":\"what is six times seven\"}]}}");
                client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
                assertThat(client.next("response.done").path("response").path("output").get(0).path("type").asText())
                        .isEqualTo("function_call");
                // The gateway ran the calculator and asked for the next response itself.
                JsonNode output = client.next("conversation.item.done");
                assertThat(output.path("item").path("type").asText()).isEqualTo("function_call_output");
                assertThat(output.path("item").path("output").asText()).isEqualTo("42");
                JsonNode answer = client.next("response.done").path("response").path("output").get(0);
                assertThat(answer.path("content").get(0).path("text").asText()).isEqualTo("The tool returned: 42");
            }
        }
    }

    @Test
    void theAgentSessionIsRequiredAndMustBeTheCallers() throws Exception {
        assertThat(post(gw.clientKey, "/api/agent/realtime/session", "{}").statusCode()).isEqualTo(400);
        assertThat(post(gw.clientKey, "/api/agent/realtime/session", "{\"agentSessionId\":\"agent_nope\"}").statusCode()).isEqualTo(404);
        String theirs = json(post(gw.adminKey, "/api/agent/sessions", "{\"name\":\"theirs\",\"model\":\"gpt-4o-mini\"}")).path("id").asText();
        String otherOwner = gw.gateway.keys().create("someone-else", "another-team", false).secret();
        assertThat(post(otherOwner, "/api/agent/realtime/session", "{\"agentSessionId\":\"" + theirs + "\"}").statusCode())
                .isIn(404);
        assertThat(post(otherOwner, "/api/agent/realtime/session/rtsess_unknown/restart", "{}").statusCode()).isEqualTo(404);
    }

    /** One text turn on a voice session opened with its credential; the event types received, in order. */
    private static List<String> talk(String credential, String text) throws Exception {
        List<String> types = new ArrayList<>();
        try (RealtimeRelayTest.Client client = RealtimeRelayTest.Client.connect(gw, "gpt-realtime",
                List.of("Authorization", "Bearer " + credential), List.of())) {
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"" + text + "\"}]}}");
            client.send("{\"type\":\"response.create\"}");
            JsonNode event;
            do {
                event = client.next(null);
                types.add(event.path("type").asText());
            } while (!event.path("type").asText().equals("response.done"));
        }
        return types;
    }

    private static JsonNode awaitEnded(String id) throws Exception {
        awaitTrue(() -> {
            try {
                JsonNode row = json(get("/api/agent/realtime/session/" + id));
                return row.path("status").asText().equals("ended") && !row.path("usage").isNull();
            } catch (Exception e) {
                return false;
            }
        });
        return json(get("/api/agent/realtime/session/" + id));
    }

    private static HttpResponse<String> post(String key, String path, String body) throws Exception {
        return RealtimeRelayTest.HTTP.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return RealtimeRelayTest.HTTP.send(HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.clientKey)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
