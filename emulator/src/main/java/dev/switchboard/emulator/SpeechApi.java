package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;

/**
 * {@code POST /v1/audio/speech}: deterministic speech, 120 ms of a 220 Hz tone per word at 24 kHz mono, in every
 * {@code response_format} OpenAI offers ({@link AudioFiles}): {@code mp3} (the default), {@code opus}, {@code aac},
 * {@code flac}, {@code wav} and {@code pcm}, each a file of its format that a standard decoder plays for as long as
 * the text takes. The lossy formats carry silence of that length: the emulator has no encoder for them.
 */
final class SpeechApi {
    private static final int SAMPLES_PER_WORD = VoiceActivity.SAMPLE_RATE * 120 / 1000;

    void create(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        String input = body.path("input").asText("");
        if (input.isBlank()) {
            ApiErrors.badRequest(ctx, "Missing required parameter: 'input'.");
            return;
        }
        if (input.length() > 4096) {
            ApiErrors.badRequest(ctx, "Invalid 'input': string too long. Expected a string with maximum length 4096.");
            return;
        }
        if (body.path("voice").asText("").isBlank()) {
            ApiErrors.badRequest(ctx, "Missing required parameter: 'voice'.");
            return;
        }
        String format = body.path("response_format").asText("mp3");
        String contentType = AudioFiles.contentType(format);
        if (contentType == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value: '" + format
                    + "'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.");
            return;
        }
        ctx.contentType(contentType).result(AudioFiles.encode(format, speak(Reply.countWords(input))));
    }

    /** The speech's samples: each word a tone of 90 ms and a pause of 30 ms. */
    static byte[] speak(int words) {
        byte[] pcm = new byte[words * SAMPLES_PER_WORD * 2];
        for (int i = 0; i < pcm.length / 2; i++) {
            boolean gap = (i % SAMPLES_PER_WORD) > SAMPLES_PER_WORD * 3 / 4;
            short sample = gap ? 0 : (short) (4000 * Math.sin(2 * Math.PI * 220 * i / VoiceActivity.SAMPLE_RATE));
            pcm[2 * i] = (byte) sample;
            pcm[2 * i + 1] = (byte) (sample >> 8);
        }
        return pcm;
    }
}
