package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.upstream.StreamedBody;
import dev.switchboard.web.GatewayException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A form's text fields are found as the form passes, however its bytes are split, and only those of a form it can follow. */
class MultipartFieldsTest {
    private static final String TYPE = "multipart/form-data; boundary=\"b0und\"";

    @Test
    void textFieldsAreSeenWhateverTheReadSizesAndFilesAreNot() throws Exception {
        String form = "preamble to ignore\r\n--b0und\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
                + "--b0und  \r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
                + "RIFF\r\n--b0un not a boundary \r\n--b0unX\r\n--b0und\r\n"
                + "Content-Disposition: form-data; name=\"note\"\r\n\r\nline one\r\nline two; with \"quotes\"\r\n"
                + "--b0und\r\nContent-Disposition: form-data; name=\"upload\"; filename*=UTF-8''x.bin\r\n\r\nDATA\r\n"
                + "--b0und\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--b0und--\r\nepilogue";
        for (int chunk : new int[] {1, 2, 3, 7, 64, 100_000}) {
            Map<String, String> seen = new LinkedHashMap<>();
            byte[] passed = readAll(MultipartFields.wrap(new ByteArrayInputStream(form.getBytes(StandardCharsets.UTF_8)), TYPE,
                    seen::put), chunk);
            assertThat(new String(passed, StandardCharsets.UTF_8)).as("every byte passes unchanged").isEqualTo(form);
            assertThat(seen).as("chunk " + chunk).containsExactly(Map.entry("model", "whisper-1"),
                    Map.entry("note", "line one\r\nline two; with \"quotes\""), Map.entry("empty", ""));
        }
    }

    @Test
    void aRefusedFieldStopsTheFormBeforeTheBytesThatCompleteIt() {
        String form = "--b0und\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-4o\r\n--b0und--\r\n";
        InputStream in = MultipartFields.wrap(new ByteArrayInputStream(form.getBytes(StandardCharsets.UTF_8)), TYPE, (name, value) -> {
            throw new GatewayException(403, "permission_error", "model_not_allowed_for_key", "model", "no " + value);
        });
        assertThatThrownBy(() -> readAll(in, 8)).isInstanceOf(StreamedBody.Refused.class)
                .satisfies(e -> assertThat(((StreamedBody.Refused) e).refusal().code()).isEqualTo("model_not_allowed_for_key"));
    }

    @Test
    void aFormItCannotFollowIsRefused() {
        for (String form : new String[] {
                "--b0und\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1",           // never closed
                "--b0und\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--b0undX", // garbage after a boundary
                "--b0und\r\n" + "X-Long: " + "a".repeat(20_000) + "\r\n\r\nx\r\n--b0und--\r\n",          // headers too long
                "--b0und\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + "m".repeat(70_000) + "\r\n--b0und--\r\n"}) {
            assertThatThrownBy(() -> readAll(MultipartFields.wrap(new ByteArrayInputStream(form.getBytes(StandardCharsets.UTF_8)),
                    TYPE, (name, value) -> { }), 4096)).isInstanceOf(StreamedBody.Refused.class);
        }
        assertThatThrownBy(() -> MultipartFields.wrap(InputStream.nullInputStream(), "multipart/form-data", (n, v) -> { }))
                .isInstanceOf(GatewayException.class);
        // Anything that is not a form passes as it is.
        InputStream raw = InputStream.nullInputStream();
        assertThat(MultipartFields.wrap(raw, "audio/wav", (n, v) -> { })).isSameAs(raw);
    }

    private static byte[] readAll(InputStream in, int chunk) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        for (int n; (n = in.read(buffer, 0, chunk)) >= 0; ) out.write(buffer, 0, n);
        return out.toByteArray();
    }
}
