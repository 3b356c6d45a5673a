package dev.switchboard.emulator.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import dev.switchboard.emulator.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An emulator for the media endpoints' tests, reached by the official SDK and by raw HTTP for exact bytes. */
public final class MediaEmulator implements AutoCloseable {
    public static final String KEY = "sk-emulator-media";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    public final Emulator emulator;
    public final OpenAIClient sdk;

    private MediaEmulator() {
        emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(KEY));
        sdk = OpenAIOkHttpClient.builder().baseUrl(emulator.baseUrl()).apiKey(KEY).maxRetries(0).build();
    }

    public static MediaEmulator start() {
        return new MediaEmulator();
    }

    /** An answer: status, content type and body. */
    public record Answer(int status, String contentType, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return Json.parse(text());
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }

        /** The data objects of an event stream, in order. */
        public List<JsonNode> events() {
            List<JsonNode> events = new ArrayList<>();
            for (String line : text().split("\n")) {
                if (line.startsWith("data: ")) {
                    try {
                        events.add(Json.parse(line.substring(6)));
                    } catch (Exception e) {
                        throw new AssertionError("not JSON: " + line, e);
                    }
                }
            }
            return events;
        }

        /** The {@code event:} names of an event stream, in order. */
        public List<String> eventNames() {
            return text().lines().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7)).toList();
        }

        /** Asserts an OpenAI error of this status and param; returns its error object. */
        public JsonNode error(int expectedStatus) {
            assertThat(status).as(text()).isEqualTo(expectedStatus);
            JsonNode error = json().path("error");
            assertThat(error.path("message").asText()).isNotBlank();
            assertThat(error.has("type") && error.has("param") && error.has("code")).as(text()).isTrue();
            return error;
        }
    }

    public Answer postJson(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Answer get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    public Answer postMultipart(String path, Multipart form) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + Multipart.BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes())).build());
    }

    private static Answer send(HttpRequest request) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    @Override
    public void close() {
        sdk.close();
        emulator.close();
    }

    /** A multipart/form-data body built by hand, to send exactly what a test means (hostile parts included). */
    public static final class Multipart {
        static final String BOUNDARY = "----switchboard-test-boundary";
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Multipart field(String name, String value) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            return this;
        }

        public Multipart file(String name, String filename, String contentType, byte[] bytes) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
                    + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** A file part as some clients send one: with a content type but no file name. */
        public Multipart fileWithoutName(String name, String contentType, byte[] bytes) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\nContent-Type: "
                    + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            copy.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return copy.toByteArray();
        }
    }
}
