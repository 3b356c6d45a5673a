package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code POST /v1/audio/speech}: deterministic speech, 24 kHz mono PCM16 with 120 ms of tone per word, as
 * {@code wav} or raw {@code pcm}. The emulator has no compressed-audio encoders, so it refuses the other formats
 * by name rather than send bytes that are not what they claim.
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
        byte[] pcm = speak(Reply.countWords(input));
        switch (format) {
            case "pcm" -> ctx.contentType("audio/pcm").result(pcm);
            case "wav" -> ctx.contentType("audio/wav").result(wav(pcm));
            default -> ApiErrors.badRequest(ctx, "The emulator renders speech as 'wav' or 'pcm' only; "
                    + "set response_format to one of them (asked for '" + format + "').");
        }
    }

    private static byte[] speak(int words) {
        byte[] pcm = new byte[words * SAMPLES_PER_WORD * 2];
        for (int i = 0; i < pcm.length / 2; i++) {
            boolean gap = (i % SAMPLES_PER_WORD) > SAMPLES_PER_WORD * 3 / 4;
            short sample = gap ? 0 : (short) (4000 * Math.sin(2 * Math.PI * 220 * i / VoiceActivity.SAMPLE_RATE));
            pcm[2 * i] = (byte) sample;
            pcm[2 * i + 1] = (byte) (sample >> 8);
        }
        return pcm;
    }

    static byte[] wav(byte[] pcm) {
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.put("RIFF".getBytes()).putInt(36 + pcm.length).put("WAVE".getBytes())
                .put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(VoiceActivity.SAMPLE_RATE).putInt(VoiceActivity.SAMPLE_RATE * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(pcm.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(44 + pcm.length);
        out.writeBytes(header.array());
        out.writeBytes(pcm);
        return out.toByteArray();
    }
}
