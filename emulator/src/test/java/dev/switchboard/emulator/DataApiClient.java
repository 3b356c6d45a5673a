package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.MultipartField;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The data APIs' tests' way to the emulator: the official SDK, and raw HTTP for what the SDK will not send (hostile
 * multipart bodies, streamed bodies of half a gigabyte).
 */
final class DataApiClient {
    static final String KEY = "sk-data-test";
    static final String BOUNDARY = "sb-test-boundary-7MA4YWxkTrZu0gW";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final Emulator emulator;
    final String key;
    final OpenAIClient sdk;

    DataApiClient(Emulator emulator) {
        this(emulator, KEY);
    }

    DataApiClient(Emulator emulator, String key) {
        this.emulator = emulator;
        this.key = key;
        this.sdk = OpenAIOkHttpClient.builder().baseUrl(emulator.baseUrl()).apiKey(key).maxRetries(0).build();
    }

    static Emulator start() {
        return Emulator.start(EmulatorOptions.defaults().withApiKey(KEY));
    }

    HttpResponse<String> send(String method, String path, String contentType, HttpRequest.BodyPublisher body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).header("Authorization", "Bearer " + key)
                .method(method, body);
        if (contentType != null) request.header("Content-Type", contentType);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> json(String method, String path, String body) throws Exception {
        return send(method, path, "application/json",
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<String> response = json(method, path, body);
        if (response.statusCode() != 200) throw new AssertionError(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        return Json.parse(response.body());
    }

    /** A multipart body streamed from its parts: text fields, then a file part whose content comes from {@code file}. */
    HttpResponse<String> multipart(String path, String[][] fields, String fileField, String filename, Supplier<InputStream> file)
            throws Exception {
        return send("POST", path, "multipart/form-data; boundary=" + BOUNDARY,
                HttpRequest.BodyPublishers.ofInputStream(() -> multipartBody(fields, fileField, filename, file)));
    }

    static InputStream multipartBody(String[][] fields, String fileField, String filename, Supplier<InputStream> file) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (String[] field : fields) {
            head.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (fileField == null) {
            head.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return new ByteArrayInputStream(head.toByteArray());
        }
        head.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
                + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        InputStream tail = new ByteArrayInputStream(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), file.get()), tail);
    }

    /** {@code length} bytes of a fixed pattern, generated as read: never held whole. */
    static InputStream pattern(long length) {
        return new InputStream() {
            long position;

            @Override
            public int read() {
                return position < length ? patternByte(position++) : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) {
                if (position >= length) return -1;
                int n = (int) Math.min(count, length - position);
                for (int i = 0; i < n; i++) buffer[offset + i] = (byte) patternByte(position++);
                return n;
            }
        };
    }

    /** The pattern holds CR, LF and dashes, so that a part's content looks like a boundary's beginning often. */
    static int patternByte(long position) {
        return "\r\n--" .charAt((int) (position % 4)) + (position % 7 == 0 ? 1 : 0);
    }

    /** Compares a stream with the pattern, byte by byte; the number of bytes if equal, else -1. */
    static long matchesPattern(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            for (int i = 0; i < n; i++) {
                if ((buffer[i] & 0xff) != patternByte(position++)) return -1;
            }
        }
        return position;
    }

    /** A File of these bytes, uploaded with the SDK under this name. */
    FileObject upload(String filename, byte[] content, FilePurpose purpose) {
        return sdk.files().create(FileCreateParams.builder()
                .file(MultipartField.<InputStream>builder().value(new ByteArrayInputStream(content)).filename(filename).build())
                .purpose(purpose).build());
    }

    /** An OpenAI-shaped error of this status, naming {@code param} (null: none), whose message contains {@code message}. */
    static void assertError(HttpResponse<String> response, int status, String param, String message) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = Json.parse(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains(message);
        assertThat(error.has("code")).isTrue();
        if (param == null) assertThat(error.get("param").isNull()).isTrue();
        else assertThat(error.get("param").asText()).isEqualTo(param);
    }
}
