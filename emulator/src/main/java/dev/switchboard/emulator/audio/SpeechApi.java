package dev.switchboard.emulator.audio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.media.Faults;
import dev.switchboard.emulator.media.Params;
import dev.switchboard.emulator.media.Tokens;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * {@code POST /v1/audio/speech}: deterministic speech, 120 ms of a 220 Hz tone per word at 24 kHz mono, in every
 * {@code response_format} OpenAI offers ({@link AudioFiles}): {@code mp3} (the default), {@code opus}, {@code aac},
 * {@code flac}, {@code wav} and {@code pcm}, each a file of its format that a standard decoder plays for as long as
 * the text takes; mp3 and aac render the tone as one spectral line, opus is silence (see {@link AudioFiles}). Every
 * format carries the text ({@link SpokenText}), so that the emulator's transcription of its own speech gives the
 * text back. {@code stream_format: "sse"} (gpt-4o-mini-tts only, as upstream) sends the file in
 * {@code speech.audio.delta} events, then {@code speech.audio.done} with usage.
 */
public final class SpeechApi {
    static final int SAMPLES_PER_WORD = AudioFiles.RATE * 120 / 1000;
    private static final Set<String> MODELS = Set.of("tts-1", "tts-1-hd", "gpt-4o-mini-tts");
    /** The audio tokens a second of speech counts for, in the emulator's usage. */
    static final int AUDIO_TOKENS_PER_SECOND = 20;

    private final Faults faults;

    private SpeechApi(Faults faults) {
        this.faults = faults;
    }

    public static void register(io.javalin.config.RoutesConfig routes, Faults faults) {
        routes.post("/v1/audio/speech", new SpeechApi(faults)::create);
    }

    void create(Context ctx) throws IOException {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        JsonNode inputNode = body.path("input");
        if (!inputNode.isMissingNode() && !inputNode.isNull() && !inputNode.isTextual()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_type",
                    "Invalid type for 'input': expected a string, but got " + Params.typeName(inputNode) + " instead.", "input");
            return;
        }
        String input = inputNode.asText("");
        if (input.isBlank()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'input'.", "input");
            return;
        }
        if (input.length() > 4096) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "string_above_max_length",
                    "Invalid 'input': string too long. Expected a string with maximum length 4096, but got a string with length "
                            + input.length() + " instead.", "input");
            return;
        }
        if (body.path("voice").isMissingNode() || body.path("voice").isNull() || body.path("voice").isTextual() && body.path("voice").asText().isBlank()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'voice'.", "voice");
            return;
        }
        JsonNode speed = body.path("speed");
        if (!speed.isMissingNode() && !speed.isNull() && (!speed.isNumber() || speed.asDouble() < 0.25 || speed.asDouble() > 4.0)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", speed.isNumber() ? "invalid_value" : "invalid_type",
                    speed.isNumber() ? "Invalid 'speed': expected a number between 0.25 and 4.0, but got " + speed.asDouble() + " instead."
                            : "Invalid type for 'speed': expected a number, but got " + Params.typeName(speed) + " instead.", "speed");
            return;
        }
        JsonNode voice = body.path("voice");
        if (!voice.isTextual() && !(voice.isObject() && voice.path("id").isTextual())) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_type",
                    "Invalid type for 'voice': expected a voice name or an object with an 'id', but got " + Params.typeName(voice) + " instead.", "voice");
            return;
        }
        String model = Params.checkModel(ctx, body.path("model").asText(""), MODELS, faults);
        if (model == null) return;
        String format = body.path("response_format").asText("mp3");
        String contentType = AudioFiles.contentType(format);
        if (contentType == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value: '"
                    + Params.printable(format) + "'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.", "response_format");
            return;
        }
        String streamFormat = body.path("stream_format").asText("audio");
        if (!streamFormat.equals("audio") && !streamFormat.equals("sse")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value: '"
                    + Params.printable(streamFormat) + "'. Supported values are: 'sse' and 'audio'.", "stream_format");
            return;
        }
        if (streamFormat.equals("sse") && model.startsWith("tts-1")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                    "Unsupported value: 'stream_format' does not support 'sse' with this model. Supported values are: 'audio'.", "stream_format");
            return;
        }
        byte[] audio = render(input, format);
        if (streamFormat.equals("audio")) {
            ctx.contentType(contentType).result(audio);
            return;
        }
        byte[] samples = speak(input);
        int seconds = (int) Math.ceil(samples.length / 2.0 / AudioFiles.RATE);
        int inputTokens = Tokens.of(input);
        int outputTokens = seconds * AUDIO_TOKENS_PER_SECOND;
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        // A delta for every four words of speech, as OpenAI sends audio while it is made, in every format: a
        // compressed file is cut by the same share of its bytes, so a short mp3 is not one single event.
        int deltas = Math.max(1, ceilDiv(samples.length, SAMPLES_PER_WORD * 2 * 4));
        int chunk = Math.max(1, ceilDiv(audio.length, deltas));
        for (int at = 0; at < audio.length; at += chunk) {
            byte[] piece = java.util.Arrays.copyOfRange(audio, at, Math.min(audio.length, at + chunk));
            frame(out, Json.obj("type", "speech.audio.delta", "audio", Base64.getEncoder().encodeToString(piece)));
        }
        frame(out, Json.obj("type", "speech.audio.done", "usage", Json.obj("input_tokens", inputTokens,
                "output_tokens", outputTokens, "total_tokens", inputTokens + outputTokens)));
    }

    private static void frame(OutputStream out, JsonNode event) throws IOException {
        out.write(("data: " + Json.write(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The speech of this text as a file of the format. */
    public static byte[] render(String text, String format) {
        byte[] payload = SpokenText.payload(text);
        byte[] pcm = speak(text);
        SpokenText.embed(pcm, payload);
        return AudioFiles.encode(format, pcm, payload);
    }

    /** The speech's samples: each word a tone of 90 ms and a pause of 30 ms, long enough to carry the text. */
    static byte[] speak(String text) {
        int words = Math.max(countWords(text), ceilDiv(SpokenText.samplesFor(SpokenText.payload(text)), SAMPLES_PER_WORD));
        byte[] pcm = new byte[words * SAMPLES_PER_WORD * 2];
        for (int i = 0; i < pcm.length / 2; i++) {
            boolean gap = (i % SAMPLES_PER_WORD) > SAMPLES_PER_WORD * 3 / 4;
            short sample = gap ? 0 : (short) (4000 * Math.sin(2 * Math.PI * 220 * i / AudioFiles.RATE));
            pcm[2 * i] = (byte) sample;
            pcm[2 * i + 1] = (byte) (sample >> 8);
        }
        return pcm;
    }

    static int countWords(String text) {
        if (text == null || text.isBlank()) return 0;
        return text.trim().split("\\s+").length;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
