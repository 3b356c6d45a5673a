package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every speech format OpenAI offers is a file FFmpeg (installed by {@code scripts/test-prerequisites}) decodes
 * whole, without an error, as the codec it claims, for as long as the text takes: 120 ms a word; and every one but
 * opus (whose CELT frames the emulator cannot encode) plays the tone, not silence.
 */
class SpeechFormatsTest {
    static final String TEXT = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            + "sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five";
    static final double SECONDS = 25 * 0.120;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        ToolChoiceTest.start();
    }

    @AfterAll
    static void stop() {
        ToolChoiceTest.stop();
    }

    @ParameterizedTest
    @CsvSource({"mp3,mp3,audio/mpeg", "opus,opus,audio/ogg", "aac,aac,audio/aac", "flac,flac,audio/flac",
            "wav,pcm_s16le,audio/wav", "pcm,pcm_s16le,audio/pcm", ",mp3,audio/mpeg"})
    void eachFormatDecodesAsItsCodecForTheTextsDuration(String format, String codec, String contentType) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\",\"input\":\"" + TEXT + "\""
                + (format == null ? "" : ",\"response_format\":\"" + format + "\"") + "}";
        HttpResponse<byte[]> response = ToolChoiceTest.HTTP.send(HttpRequest.newBuilder(
                        URI.create(ToolChoiceTest.emulator.baseUrl() + "/audio/speech"))
                .header("Authorization", "Bearer " + ToolChoiceTest.KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(contentType));
        Path file = dir.resolve("speech." + (format == null ? "mp3" : format));
        Files.write(file, response.body());

        List<String> input = "pcm".equals(format) ? List.of("-f", "s16le", "-ar", "24000", "-ac", "1", "-i", file.toString())
                : List.of("-i", file.toString());
        // A full decode: any error the decoder meets is printed, and the decoded length is what it played.
        Run decoded = run(concat(List.of("ffmpeg", "-nostdin", "-v", "error", "-xerror",
                "-err_detect", "crccheck+bitstream+buffer"), input,
                List.of("-f", "s16le", "-ac", "1", "-ar", "24000", "-")));
        assertThat(decoded.exit()).as(decoded.stderr()).isZero();
        assertThat(decoded.stderr()).isEmpty();
        assertThat(decoded.stdoutBytes() / 2 / 24000.0).as("decoded seconds").isCloseTo(SECONDS, within(0.08));
        double rms = rms(decoded.stdout());
        if ("opus".equals(format)) assertThat(rms).as("opus is silence").isLessThan(1);
        else assertThat(rms).as("the tone's loudness").isBetween(1000.0, 8000.0);

        Run probed = run(concat(List.of("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels",
                "-of", "json"), input, List.of()));
        assertThat(probed.exit()).as(probed.stderr()).isZero();
        JsonNode stream = Json.parse(probed.stdout()).path("streams").get(0);
        assertThat(stream.path("codec_name").asText()).isEqualTo(codec);
        assertThat(stream.path("channels").asInt()).isEqualTo(1);
    }

    /** The root mean square of little-endian PCM16 samples held one byte a character. */
    private static double rms(String pcm) {
        double sum = 0;
        int samples = pcm.length() / 2;
        for (int i = 0; i < samples; i++) {
            short sample = (short) ((pcm.charAt(2 * i) & 0xFF) | (pcm.charAt(2 * i + 1) << 8));
            sum += (double) sample * sample;
        }
        return Math.sqrt(sum / Math.max(1, samples));
    }

    private record Run(int exit, String stdout, long stdoutBytes, String stderr) {}

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }

    private Run run(List<String> command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".bin");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(command.toString()).isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1), Files.size(out),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
