package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's Realtime WebSocket, spoken to with a plain WebSocket client as a relay would. */
class RealtimeWebSocketTest {
    static final String KEY = "sk-emulator-realtime";
    static Emulator emulator;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(KEY));
        emulator.script("gpt-realtime-tool", "{\"tool_call\":{\"name\":\"math__calculate\",\"arguments\":{\"expression\":\"6*7\"}}}");
        emulator.script("gpt-realtime-slow", "{\"text\":\"one two three four five six seven eight\",\"delay_ms\":150}");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void textTurnStreamsTheGaEventsWithUsage() throws Exception {
        try (Client client = Client.connect("gpt-realtime", KEY)) {
            JsonNode created = client.next("session.created");
            assertThat(created.path("session").path("type").asText()).isEqualTo("realtime");
            assertThat(created.path("session").path("model").asText()).isEqualTo("gpt-realtime");

            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"],"
                    + "\"instructions\":\"Be brief.\"}}");
            JsonNode updated = client.next("session.updated");
            assertThat(updated.path("session").path("output_modalities").get(0).asText()).isEqualTo("text");
            assertThat(updated.path("session").path("audio").path("output").path("voice").asText()).isEqualTo("alloy");

            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"hello there\"}]}}");
            assertThat(client.next("conversation.item.added").path("item").path("role").asText()).isEqualTo("user");
            client.next("conversation.item.done");

            client.send("{\"type\":\"response.create\"}");
            List<String> types = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            JsonNode event;
            do {
                event = client.next(null);
                types.add(event.path("type").asText());
                assertThat(event.path("event_id").asText()).startsWith("event_");
                if (event.path("type").asText().equals("response.output_text.delta")) text.append(event.path("delta").asText());
            } while (!event.path("type").asText().equals("response.done"));
            assertThat(text.toString()).isEqualTo("Echo: hello there");
            assertThat(types).startsWith("response.created", "response.output_item.added", "conversation.item.added",
                    "response.content_part.added");
            assertThat(types).endsWith("response.output_text.done", "response.content_part.done",
                    "response.output_item.done", "conversation.item.done", "response.done");
            JsonNode response = event.path("response");
            assertThat(response.path("status").asText()).isEqualTo("completed");
            assertThat(response.path("output").get(0).path("content").get(0).path("text").asText()).isEqualTo("Echo: hello there");
            assertThat(response.path("usage").path("output_tokens").asInt()).isEqualTo(3);
            assertThat(response.path("usage").path("input_tokens").asInt()).isPositive();
            assertThat(client.next("rate_limits.updated").path("rate_limits")).hasSize(2);
        }
    }

    @Test
    void audioResponsesCarryAudioAndItsTranscript() throws Exception {
        try (Client client = Client.connect("gpt-realtime", KEY)) {
            client.next("session.created");
            client.send("{\"type\":\"response.create\"}");
            StringBuilder transcript = new StringBuilder();
            int audioBytes = 0;
            JsonNode event;
            do {
                event = client.next(null);
                switch (event.path("type").asText()) {
                    case "response.output_audio.delta" -> audioBytes += Base64.getDecoder().decode(event.path("delta").asText()).length;
                    case "response.output_audio_transcript.delta" -> transcript.append(event.path("delta").asText());
                    default -> { }
                }
            } while (!event.path("type").asText().equals("response.done"));
            assertThat(transcript.toString()).isEqualTo("Hello from the Switchboard emulator.");
            assertThat(audioBytes).isEqualTo(5 * 1920);
            assertThat(event.path("response").path("output").get(0).path("content").get(0).path("transcript").asText())
                    .isEqualTo("Hello from the Switchboard emulator.");
        }
    }

    @Test
    void cancelStopsTheResponseInProgress() throws Exception {
        try (Client client = Client.connect("gpt-realtime-slow", KEY)) {
            client.next("session.created");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
            client.next("response.output_text.delta");
            client.send("{\"type\":\"response.cancel\"}");
            JsonNode done = client.next("response.done");
            assertThat(done.path("response").path("status").asText()).isEqualTo("cancelled");
            assertThat(done.path("response").path("status_details").path("reason").asText()).isEqualTo("client_cancelled");
            assertThat(done.path("response").path("usage").path("output_tokens").asInt()).isLessThan(8);

            client.send("{\"type\":\"response.cancel\",\"event_id\":\"evt_again\"}");
            JsonNode error = client.next("error");
            assertThat(error.path("error").path("code").asText()).isEqualTo("response_cancel_not_active");
            assertThat(error.path("error").path("event_id").asText()).isEqualTo("evt_again");
        }
    }

    @Test
    void badClientEventsGetErrorEventsAndTheSessionGoesOn() throws Exception {
        try (Client client = Client.connect("gpt-realtime", KEY)) {
            client.next("session.created");
            client.send("not json");
            assertThat(client.next("error").path("error").path("code").asText()).isEqualTo("invalid_json");
            client.send("{\"type\":\"session.explode\",\"event_id\":\"evt_1\"}");
            JsonNode unknown = client.next("error").path("error");
            assertThat(unknown.path("param").asText()).isEqualTo("type");
            assertThat(unknown.path("event_id").asText()).isEqualTo("evt_1");
            client.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"x\"}}");
            assertThat(client.next("error").path("error").path("param").asText()).isEqualTo("session.type");
            client.send("{\"type\":\"input_audio_buffer.commit\"}");
            assertThat(client.next("error").path("error").path("code").asText()).isEqualTo("input_audio_buffer_commit_empty");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}}");
            client.next("session.updated");
        }
    }

    @Test
    void speechIsDetectedFromTheAudioEnergyAndAnsweredWithTranscription() throws Exception {
        try (Client client = Client.connect("gpt-realtime", KEY)) {
            client.next("session.created");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"],"
                    + "\"audio\":{\"input\":{\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"}}}}}");
            client.next("session.updated");
            client.send(append(silence(300)));
            client.send(append(tone(600)));
            JsonNode started = client.next("input_audio_buffer.speech_started");
            assertThat(started.path("audio_start_ms").asLong()).isBetween(280L, 320L);
            client.send(append(silence(400)));
            JsonNode stopped = client.next("input_audio_buffer.speech_stopped");
            assertThat(stopped.path("audio_end_ms").asLong()).isBetween(880L, 920L);
            JsonNode committed = client.next("input_audio_buffer.committed");
            assertThat(committed.path("item_id").asText()).isEqualTo(started.path("item_id").asText());
            JsonNode transcription = client.next("conversation.item.input_audio_transcription.completed");
            assertThat(transcription.path("item_id").asText()).isEqualTo(committed.path("item_id").asText());
            assertThat(transcription.path("transcript").asText()).isNotBlank();
            JsonNode done = client.next("response.done");
            assertThat(done.path("response").path("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void dropAfterBreaksTheConnectionWithoutACloseFrame() throws Exception {
        try (Client client = Client.connect("gpt-realtime;drop_after=2", KEY)) {
            assertThat(client.next("session.created").path("session").path("model").asText()).isEqualTo("gpt-realtime");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}}");
            client.next("session.updated");
            // The JDK client does not always notice the peer's FIN by itself (its socket sits in CLOSE-WAIT), so
            // the test writes pings until one fails or the client reports the end.
            String ended = null;
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); ended == null && System.nanoTime() < deadline; ) {
                try {
                    client.socket().sendPing(ByteBuffer.allocate(0)).get(1, TimeUnit.SECONDS);
                    ended = client.collector().ended.getNow(null);
                    if (ended == null) Thread.sleep(100);
                } catch (java.util.concurrent.ExecutionException writeFailed) {
                    ended = client.collector().ended.getNow("write failed");
                }
            }
            assertThat(ended).as("the connection is broken, without a close frame").isIn("error", "close:1006", "write failed");
        }
    }

    @Test
    void keysAreCheckedBeforeTheUpgrade() throws Exception {
        assertThat(handshakeStatus("gpt-realtime", "sk-wrong")).isEqualTo(401);
        assertThat(handshakeStatus("gpt-realtime", null)).isEqualTo(401);
        assertThat(handshakeStatus(null, KEY)).isEqualTo(400);
    }

    @Test
    void browsersAuthenticateWithTheKeySubprotocol() throws Exception {
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        WebSocket socket = HTTP.newWebSocketBuilder()
                .subprotocols("realtime", "openai-insecure-api-key." + KEY)
                .buildAsync(URI.create(wsUrl("gpt-realtime")), new Collector(messages)).join();
        try {
            assertThat(socket.getSubprotocol()).isEqualTo("realtime");
            assertThat(Json.parse(messages.poll(5, TimeUnit.SECONDS)).path("type").asText()).isEqualTo("session.created");
        } finally {
            socket.abort();
        }
    }

    @Test
    void aClientSecretOpensOneSessionWithItsConfiguration() throws Exception {
        HttpResponse<String> minted = post("/v1/realtime/client_secrets", "{\"expires_after\":{\"anchor\":\"created_at\","
                + "\"seconds\":60},\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime-mini\","
                + "\"instructions\":\"Speak like a pilot.\",\"audio\":{\"output\":{\"voice\":\"marin\"}}}}");
        assertThat(minted.statusCode()).isEqualTo(200);
        JsonNode secret = Json.parse(minted.body());
        String value = secret.path("value").asText();
        assertThat(value).startsWith("ek_");
        assertThat(secret.path("expires_at").asLong()).isBetween(Ids.nowSeconds() + 55, Ids.nowSeconds() + 60);

        try (Client client = Client.connect(null, value)) {
            JsonNode session = client.next("session.created").path("session");
            assertThat(session.path("model").asText()).isEqualTo("gpt-realtime-mini");
            assertThat(session.path("instructions").asText()).isEqualTo("Speak like a pilot.");
            assertThat(session.path("audio").path("output").path("voice").asText()).isEqualTo("marin");
            assertThat(session.path("audio").path("output").path("format").path("rate").asInt()).isEqualTo(24000);
        }
        assertThat(handshakeStatus(null, value)).as("a secret opens one session").isEqualTo(401);
        assertThat(post("/v1/realtime/client_secrets", "{\"expires_after\":{\"seconds\":5}}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/realtime/client_secrets", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void speechIsRenderedAsWavAndAnUnknownFormatIsRefusedByName() throws Exception {
        HttpResponse<byte[]> wav = HTTP.send(request("/v1/audio/speech",
                "{\"model\":\"gpt-4o-mini-tts\",\"input\":\"three short words\",\"voice\":\"alloy\",\"response_format\":\"wav\"}"),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(wav.statusCode()).isEqualTo(200);
        assertThat(wav.headers().firstValue("Content-Type")).hasValue("audio/wav");
        byte[] bytes = wav.body();
        assertThat(new String(bytes, 0, 4)).isEqualTo("RIFF");
        assertThat(new String(bytes, 8, 4)).isEqualTo("WAVE");
        assertThat(bytes.length).isEqualTo(44 + 3 * 2880 * 2);

        HttpResponse<String> ogg = post("/v1/audio/speech",
                "{\"model\":\"gpt-4o-mini-tts\",\"input\":\"hi\",\"voice\":\"alloy\",\"response_format\":\"ogg\"}");
        assertThat(ogg.statusCode()).isEqualTo(400);
        assertThat(Json.parse(ogg.body()).path("error").path("message").asText())
                .isEqualTo("Invalid value: 'ogg'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.");
        assertThat(post("/v1/audio/speech", "{\"input\":\"\",\"voice\":\"alloy\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void theModelCallsAFunctionAndAnswersWithItsOutput() throws Exception {
        try (Client client = Client.connect("gpt-realtime-tool", KEY)) {
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"what is six times seven\"}]}}");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
            JsonNode arguments = client.next("response.function_call_arguments.done");
            assertThat(arguments.path("name").asText()).isEqualTo("math__calculate");
            assertThat(Json.parse(arguments.path("arguments").asText()).path("expression").asText()).isEqualTo("6*7");
            JsonNode call = client.next("response.done").path("response").path("output").get(0);
            assertThat(call.path("type").asText()).isEqualTo("function_call");
            assertThat(call.path("call_id").asText()).isEqualTo(arguments.path("call_id").asText());

            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\",\"call_id\":\""
                    + call.path("call_id").asText() + "\",\"output\":\"42\"}}");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
            JsonNode answer = client.next("response.done").path("response").path("output").get(0);
            assertThat(answer.path("content").get(0).path("text").asText()).isEqualTo("The tool returned: 42");
        }
    }

    static HttpRequest request(String path, String json) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + emulator.port() + path))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(request(path, json), HttpResponse.BodyHandlers.ofString());
    }

    static int handshakeStatus(String model, String key) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (key != null) builder.header("Authorization", "Bearer " + key);
        try {
            builder.buildAsync(URI.create(wsUrl(model)), new Collector(new LinkedBlockingQueue<>())).join().abort();
            return 101;
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    static String wsUrl(String model) {
        return "ws://127.0.0.1:" + emulator.port() + "/v1/realtime" + (model == null ? "" : "?model=" + model);
    }

    static String append(byte[] pcm) {
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(pcm) + "\"}";
    }

    static byte[] silence(int ms) {
        return new byte[ms * 48];
    }

    static byte[] tone(int ms) {
        byte[] pcm = new byte[ms * 48];
        for (int i = 0; i < pcm.length / 2; i++) {
            short sample = (short) (8000 * Math.sin(2 * Math.PI * 300 * i / 24000.0));
            pcm[2 * i] = (byte) sample;
            pcm[2 * i + 1] = (byte) (sample >> 8);
        }
        return pcm;
    }

    /** Whole text messages into a queue. */
    record Collector(BlockingQueue<String> messages, StringBuilder partial, CompletableFuture<String> ended)
            implements WebSocket.Listener {
        Collector(BlockingQueue<String> messages) {
            this(messages, new StringBuilder(), new CompletableFuture<>());
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
            ended.complete("close:" + code);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            ended.complete("error");
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            socket.request(1);
            return null;
        }
    }

    /** A connected socket and the events it received, read in order. */
    record Client(WebSocket socket, BlockingQueue<String> messages, Collector collector) implements AutoCloseable {
        static Client connect(String model, String key) {
            return connectTo(wsUrl(model), key);
        }

        static Client connectTo(String url, String key) {
            BlockingQueue<String> messages = new LinkedBlockingQueue<>();
            Collector collector = new Collector(messages);
            WebSocket socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                    .buildAsync(URI.create(url), collector).join();
            return new Client(socket, messages, collector);
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        /** The next event of this type (any type when null), skipping others; fails after five seconds. */
        JsonNode next(String type) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                String text = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (text == null) throw new AssertionError("no " + (type == null ? "event" : type) + " within 5 s");
                JsonNode event = Json.parse(text);
                if (type == null || event.path("type").asText().equals(type)) return event;
            }
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
            CompletableFuture.runAsync(socket::abort, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));
        }
    }
}
