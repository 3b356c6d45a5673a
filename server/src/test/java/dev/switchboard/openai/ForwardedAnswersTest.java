package dev.switchboard.openai;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.StandInOpenAi;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What forwarded answers do in the gateway: an event stream of a path the gateway does not know relayed event by
 * event with its usage recorded, usage in the shapes of embeddings, images and transcriptions recorded per request and
 * per key, and a form's model checked against the key's limits while the form passes. The upstream is
 * {@link StandInOpenAi}, a stand-in for OpenAI, for answers the emulator does not give yet (an unreleased endpoint's
 * stream, embeddings and images usage, a record of how much of a refused body arrived).
 */
class ForwardedAnswersTest {
    static StandInOpenAi openAi;
    static TestGateway gw;

    static final String EMBEDDINGS = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.25,-0.5]}],"
            + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";
    static final String IMAGES = "{\"created\":1,\"data\":[{\"b64_json\":\"iVBORw0KGgo=\"}],\"usage\":{\"total_tokens\":100,"
            + "\"input_tokens\":50,\"output_tokens\":50,\"input_tokens_details\":{\"text_tokens\":10,\"image_tokens\":40}}}";
    static final String TRANSCRIPTION = "{\"text\":\"hello there\",\"usage\":{\"type\":\"duration\",\"seconds\":3}}";

    @BeforeAll
    static void start() {
        openAi = StandInOpenAi.start()
                .json("/v1/embeddings", EMBEDDINGS)
                .json("/v1/images/generations", IMAGES)
                .json("/v1/audio/transcriptions", TRANSCRIPTION)
                .events("future", List.of(
                        "{\"type\":\"future.delta\",\"delta\":\"Hel\"}",
                        "{\"type\":\"future.delta\",\"delta\":\"lo\"}",
                        "{\"type\":\"future.done\",\"text\":\"Hello\",\"usage\":{\"input_tokens\":7,\"output_tokens\":11,\"total_tokens\":18}}"));
        openAi.events("cut", List.of("{\"type\":\"future.delta\",\"delta\":\"Hel\"}",
                StandInOpenAi.RAW + "event: future.delta\ndata: {\"type\":\"future.del"));
        gw = TestGateway.start(Map.of("OPENAI_BASE_URL", openAi.baseUrl(), "SWITCHBOARD_MAX_UPLOAD_BYTES", String.valueOf(MAX_UPLOAD)));
    }

    @AfterAll
    static void stop() {
        gw.close();
        openAi.close();
    }

    @Test
    void aForwardedStreamsSlotIsFreedWhicheverWayItEnds() throws Exception {
        var created = gw.gateway.keys().create("one-stream", null, false);
        HttpResponse<String> set = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys/" + created.key().id() + "/limits")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"concurrent_streams\":1}")));
        assertThat(set.statusCode()).isEqualTo(200);
        String key = created.secret();
        // Announced and whole, announced and cut by upstream, unannounced (answered as a stream anyway), refused after
        // admission (a refused path, a bad query, a body it cannot read), and the client leaving after the headers.
        String[][] ways = {{"/v1/stand_in/sse?events=future", "application/json", "{\"stream\":true}"},
                {"/v1/stand_in/sse?events=cut", "application/json", "{\"stream\":true}"},
                {"/v1/stand_in/sse?events=future", "application/json", "{\"model\":\"future-1\"}"},
                {"/v1/realtime/client_secrets?stream=true", "application/json", "{\"stream\":true}"},
                {"/v1/stand_in/sse?stream=true&q=%22\"", "application/json", "{\"stream\":true}"},
                {"/v1/stand_in/sse?events=future&stream=true", "text/plain", "{}"},
                {"/v1/stand_in/sse?events=future", "application/json", "{\"stream\":true}"}};
        for (String[] way : ways) {
            for (int twice = 0; twice < 2; twice++) {
                HttpResponse<InputStream> answer = gw.open(HttpRequest.newBuilder(URI.create(gw.url(way[0]).replace("\"", "%22")))
                        .header("Authorization", "Bearer " + key).header("Content-Type", way[1])
                        .POST(HttpRequest.BodyPublishers.ofString(way[2])));
                assertThat(answer.statusCode()).as(way[0] + " " + way[1]).isNotEqualTo(429);
                if (way == ways[ways.length - 1]) answer.body().close();
                else answer.body().readAllBytes();
                if (way == ways[ways.length - 1]) {
                    dev.switchboard.stream.CancellationTest.awaitTrue(() -> streamOpens(key));
                }
            }
        }
        assertThat(streamOpens(key)).isTrue();
    }

    private static boolean streamOpens(String key) {
        HttpResponse<String> answer = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/stand_in/sse?events=future")))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}")));
        return answer.statusCode() == 200;
    }

    @Test
    void anEventStreamOfAnUnknownPathIsRelayedEventByEventWithItsUsageRecorded() throws Exception {
        HttpResponse<InputStream> answer = gw.open(gw.post("/v1/stand_in/sse?events=future", "{\"model\":\"future-1\",\"stream\":true}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(answer.headers().firstValue("X-Switchboard-Stream-Id").orElse("")).startsWith("strm_");
        String body;
        try (InputStream in = answer.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // Each event as upstream sent it, byte for byte, after the id line the stream core gives it; nothing else.
        assertThat(body).isEqualTo("id: 0\nevent: future.delta\ndata: {\"type\":\"future.delta\",\"delta\":\"Hel\"}\n\n"
                + "id: 1\nevent: future.delta\ndata: {\"type\":\"future.delta\",\"delta\":\"lo\"}\n\n"
                + "id: 2\nevent: future.done\ndata: {\"type\":\"future.done\",\"text\":\"Hello\",\"usage\":{\"input_tokens\":7,"
                + "\"output_tokens\":11,\"total_tokens\":18}}\n\n");
        Map<String, Object> row = requestRow(answer.headers().firstValue("X-Switchboard-Request-Id").orElseThrow());
        assertThat(row).containsEntry("endpoint", "/v1/stand_in/sse").containsEntry("streaming", true)
                .containsEntry("outcome", "completed").containsEntry("model", "future-1").containsEntry("events", 3L)
                .containsEntry("input_tokens", 7L).containsEntry("output_tokens", 11L).containsEntry("total_tokens", 18L);
    }

    @Test
    void aStreamTheRequestDidNotAnnounceIsStillCountedAsAStream() throws Exception {
        HttpResponse<String> answer = gw.send(gw.post("/v1/stand_in/sse?events=future", "{\"model\":\"future-1\"}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("id: 0\nevent: future.delta\n");
        assertThat(requestRow(requestId(answer))).containsEntry("streaming", true).containsEntry("outcome", "completed")
                .containsEntry("total_tokens", 18L);
        String metrics = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/metrics")))).body();
        double started = metric(metrics, "switchboard_streams_started_total{endpoint=\"/v1/stand_in/sse\"}");
        double finished = metrics.lines().filter(l -> l.startsWith("switchboard_streams_finished_total{endpoint=\"/v1/stand_in/sse\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(started).isPositive().isEqualTo(finished);
    }

    private static double metric(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElse(0);
    }

    @Test
    void aStreamCutOffMidEventEndsWithAnErrorEventNotAsComplete() throws Exception {
        HttpResponse<String> answer = gw.send(gw.post("/v1/stand_in/sse?events=cut", "{\"stream\":true}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("id: 0\nevent: future.delta\ndata: {\"type\":\"future.delta\",\"delta\":\"Hel\"}\n\n")
                .doesNotContain("future.del\"").contains("event: error\n").contains("\"code\":\"upstream_disconnected\"");
        assertThat(requestRow(requestId(answer))).containsEntry("outcome", "upstream_failed").containsEntry("streaming", true);
    }

    @Test
    void bytesComeAsTheyArriveAndACutDownloadIsNeverAWholeOne() throws Exception {
        HttpResponse<byte[]> whole = bytes(gw.get("/v1/stand_in/download?bytes=300000"));
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(whole.body()).hasSize(300_000);
        assertThat(whole.body()[65_537]).isEqualTo((byte) 1);
        assertThat(requestRow(requestId(whole))).containsEntry("outcome", "completed").containsEntry("endpoint", "/v1/stand_in/download");

        // Upstream breaks after 100,000 of 300,000 bytes: the client's read fails rather than end early and clean.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bytes(gw.get("/v1/stand_in/download?bytes=300000&cut=100000")))
                .hasRootCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void embeddingsAndImagesUsageIsRecordedPerRequestAndCountedForTheKey() throws Exception {
        var created = gw.gateway.keys().create("forward-usage", null, false);
        HttpResponse<String> embeddings = gw.send(withKey(gw.post("/v1/embeddings",
                "{\"model\":\"text-embedding-3-small\",\"input\":\"eight tokens or so\"}"), created.secret()));
        assertThat(embeddings.statusCode()).isEqualTo(200);
        assertThat(embeddings.body()).isEqualTo(EMBEDDINGS);
        assertThat(requestRow(requestId(embeddings))).containsEntry("endpoint", "/v1/embeddings")
                .containsEntry("model", "text-embedding-3-small").containsEntry("input_tokens", 8L)
                .containsEntry("output_tokens", 0L).containsEntry("total_tokens", 8L);

        HttpResponse<String> images = gw.send(withKey(gw.post("/v1/images/generations",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"a teal square\"}"), created.secret()));
        assertThat(images.statusCode()).isEqualTo(200);
        assertThat(requestRow(requestId(images))).containsEntry("endpoint", "/v1/images/generations")
                .containsEntry("input_tokens", 50L).containsEntry("output_tokens", 50L).containsEntry("total_tokens", 100L);

        // Both count against the key's token budgets, as a chat's tokens do.
        dev.switchboard.Await.until(java.time.Duration.ofSeconds(10), () -> tokensToday(created.key().id()) == 108);
        assertThat(tokensToday(created.key().id())).isEqualTo(108);
    }

    static long tokensToday(String keyId) {
        try {
            return Json.MAPPER.readTree(gw.send(admin("/api/admin/keys/" + keyId + "/limits").GET()).body())
                    .path("usage").path("tokens_today").asLong();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFormIsStreamedUpstreamWithItsModelCheckedAsItPasses() throws Exception {
        String key = keyWithLimits("{\"models\":[\"whisper-1\"]}");
        byte[] audio = new byte[3 * 1024 * 1024];
        for (int i = 0; i < audio.length; i++) audio[i] = (byte) (i * 31);

        // Allowed: the whole form reaches upstream, and the model the form named is the request's.
        HttpResponse<String> allowed = gw.send(withKey(form("/v1/audio/transcriptions", "whisper-1", audio, false), key));
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo(TRANSCRIPTION);
        StandInOpenAi.Received whole = openAi.received.getLast();
        assertThat(whole.complete()).isTrue();
        assertThat(whole.bytes()).isGreaterThan(audio.length);
        assertThat(whole.tail()).endsWith("--" + BOUNDARY + "--\r\n");
        assertThat(requestRow(requestId(allowed))).containsEntry("model", "whisper-1").containsEntry("endpoint", "/v1/audio/transcriptions")
                .containsEntry("total_tokens", 0L);

        // Refused, with the model after the file: 403 as for a JSON body, and upstream never got the whole form.
        int before = openAi.received.size();
        HttpResponse<String> refused = gw.send(withKey(form("/v1/audio/transcriptions", "gpt-4o-transcribe", audio, false), key));
        JsonNode error = assertError(refused, 403, "model_not_allowed_for_key");
        assertThat(error.path("param").asText()).isEqualTo("model");
        // And with the model first: refused before the file went on.
        HttpResponse<String> refusedEarly = gw.send(withKey(form("/v1/audio/transcriptions", "gpt-4o-transcribe", audio, true), key));
        assertError(refusedEarly, 403, "model_not_allowed_for_key");
        // The late refusal reached upstream in part; the early one may never have reached it at all.
        dev.switchboard.Await.until(java.time.Duration.ofSeconds(10), () -> openAi.received.size() >= before + 1);
        List<StandInOpenAi.Received> after = List.copyOf(openAi.received.subList(before, openAi.received.size()));
        assertThat(after).allSatisfy(received -> assertThat(received.complete()).as("a refused form must not arrive whole").isFalse());
        assertThat(after).allSatisfy(received -> assertThat(received.bytes()).isLessThan(audio.length));

        // A form this gateway cannot read is refused rather than passed unchecked.
        HttpResponse<String> unreadable = gw.send(withKey(HttpRequest.newBuilder(URI.create(gw.url("/v1/audio/transcriptions")))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofString("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1")), key));
        assertError(unreadable, 400, "invalid_multipart");
    }

    @Test
    void usageIsReadInEveryShapeOpenAiReports() throws Exception {
        var chat = dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(
                "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}"));
        assertThat(chat).isEqualTo(new dev.switchboard.observe.Usage(3, 4, 7));
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(EMBEDDINGS)))
                .isEqualTo(new dev.switchboard.observe.Usage(8, 0, 8));
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(IMAGES)))
                .isEqualTo(new dev.switchboard.observe.Usage(50, 50, 100));
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(
                "{\"type\":\"transcript.text.done\",\"text\":\"x\",\"usage\":{\"type\":\"tokens\",\"input_tokens\":14,"
                        + "\"input_token_details\":{\"text_tokens\":0,\"audio_tokens\":14},\"output_tokens\":45,\"total_tokens\":59}}")))
                .isEqualTo(new dev.switchboard.observe.Usage(14, 45, 59));
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(TRANSCRIPTION)))
                .isEqualTo(new dev.switchboard.observe.Usage(0, 0, 0, 3));
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(
                "{\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":2,\"output_tokens\":5,\"total_tokens\":7}}}")))
                .isEqualTo(new dev.switchboard.observe.Usage(2, 5, 7));
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree("{\"usage\":null,\"text\":\"x\"}"))).isNull();
        assertThat(dev.switchboard.observe.Usage.reportedBy(Json.MAPPER.readTree(
                "{\"usage\":{\"input_tokens\":-5,\"output_tokens\":\"many\",\"total_tokens\":2}}")))
                .isEqualTo(new dev.switchboard.observe.Usage(0, 0, 2));
    }

    static final String BOUNDARY = "formBoundary7MA4YWxkTrZu0gW";
    static final long MAX_UPLOAD = 8L * 1024 * 1024;

    @Test
    void aChunkedFormIsForwardedChunkedAndAnUploadPastTheBoundIsRefused() throws Exception {
        byte[] audio = new byte[1024 * 1024];
        byte[] form = formBytes("whisper-1", audio, false);
        HttpResponse<String> chunked = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/audio/transcriptions")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(form))));
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(200);
        assertThat(openAi.received.getLast().complete()).isTrue();
        assertThat(openAi.received.getLast().bytes()).isEqualTo(form.length);

        // Past SWITCHBOARD_MAX_UPLOAD_BYTES: refused on its Content-Length before anything is sent ...
        byte[] big = formBytes("whisper-1", new byte[(int) MAX_UPLOAD + 1], false);
        int before = openAi.received.size();
        HttpResponse<String> declared = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/audio/transcriptions")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        assertThat(assertError(declared, 413, "request_too_large").path("message").asText()).contains("SWITCHBOARD_MAX_UPLOAD_BYTES");
        assertThat(openAi.received).hasSize(before);
        // ... and, sent chunked, as it passes: upstream never gets it whole.
        HttpResponse<String> streamed = gw.send(HttpRequest.newBuilder(URI.create(gw.url("/v1/audio/transcriptions")))
                .header("Authorization", "Bearer " + gw.clientKey).header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
        assertError(streamed, 413, "request_too_large");
        assertThat(openAi.received.stream().skip(before)).noneMatch(StandInOpenAi.Received::complete);
    }

    /** A transcription form: the audio file, and the model before or after it. */
    static HttpRequest.Builder form(String path, String model, byte[] audio, boolean modelFirst) {
        return HttpRequest.newBuilder(URI.create(gw.url(path)))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(formBytes(model, audio, modelFirst)));
    }

    static byte[] formBytes(String model, byte[] audio, boolean modelFirst) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] modelPart = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        if (modelFirst) body.writeBytes(modelPart);
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(audio);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        if (!modelFirst) body.writeBytes(modelPart);
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    static HttpResponse<byte[]> bytes(HttpRequest.Builder request) {
        try {
            return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                    .send(request.timeout(java.time.Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest.Builder withKey(HttpRequest.Builder request, String key) {
        return request.setHeader("Authorization", "Bearer " + key);
    }

    static String keyWithLimits(String limits) throws Exception {
        JsonNode created = Json.MAPPER.readTree(gw.send(admin("/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"forward-limited\"}"))).body());
        HttpResponse<String> set = gw.send(admin("/api/admin/keys/" + created.path("id").asText() + "/limits")
                .PUT(HttpRequest.BodyPublishers.ofString(limits)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return created.path("key").asText();
    }

    static HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey)
                .header("Content-Type", "application/json");
    }

    static String requestId(HttpResponse<?> response) {
        return response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
    }

    static Map<String, Object> requestRow(String requestId) throws InterruptedException {
        return await(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select * from request_log where request_id = :id").bind("id", requestId).mapToMap().findOne()));
    }

    static Map<String, Object> await(Supplier<Optional<Map<String, Object>>> query) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<Map<String, Object>> row = query.get();
            if (row.isPresent()) return row.get();
            Thread.sleep(50);
        }
        throw new AssertionError("no request_log row within 20 s");
    }
}
