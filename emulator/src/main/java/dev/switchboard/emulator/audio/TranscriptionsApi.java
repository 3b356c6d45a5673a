package dev.switchboard.emulator.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.media.MultipartBody;
import dev.switchboard.emulator.media.Faults;
import dev.switchboard.emulator.media.Params;
import dev.switchboard.emulator.media.Tokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/audio/transcriptions} and {@code /v1/audio/translations} (multipart): the emulator's own speech
 * ({@link SpeechApi}) is heard as the text it says, in every format it writes ({@link SpeechReader}); any other
 * audio as {@link #UNKNOWN_AUDIO}. Answers {@code json}, {@code text}, {@code srt}, {@code verbose_json} and
 * {@code vtt} as whisper-1 does, {@code json} and {@code text} for the gpt-4o transcribe models, which also stream
 * ({@code transcript.text.delta} events, then {@code transcript.text.done} with usage). Usage is in tokens for the
 * gpt-4o models and in seconds for whisper-1, as OpenAI bills them.
 */
public final class TranscriptionsApi {
    /** What audio that is not the emulator's speech says. */
    public static final String UNKNOWN_AUDIO = "The emulator heard audio it did not write, and transcribes it as this sentence.";
    /** Audio tokens a second of input counts for, in the emulator's usage. */
    static final int AUDIO_TOKENS_PER_SECOND = 10;
    static final long MAX_FILE_BYTES = 25L * 1024 * 1024;
    private static final Set<String> WHISPER = Set.of("whisper-1");
    private static final Set<String> TRANSCRIBERS = Set.of("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe",
            "gpt-4o-transcribe-diarize");
    private static final String DIARIZE = "gpt-4o-transcribe-diarize";
    private static final List<String> EXTENSIONS = List.of("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm");
    private static final Set<String> FORMATS = Set.of("json", "text", "srt", "verbose_json", "vtt", "diarized_json");
    private static final Map<String, String> LANGUAGES = Map.ofEntries(Map.entry("en", "english"), Map.entry("fr", "french"),
            Map.entry("de", "german"), Map.entry("es", "spanish"), Map.entry("it", "italian"), Map.entry("pt", "portuguese"),
            Map.entry("nl", "dutch"), Map.entry("ja", "japanese"), Map.entry("zh", "chinese"), Map.entry("ru", "russian"));

    private final boolean translate;
    private final Faults faults;

    private TranscriptionsApi(boolean translate, Faults faults) {
        this.translate = translate;
        this.faults = faults;
    }

    public static void register(RoutesConfig routes, Faults faults) {
        routes.post("/v1/audio/transcriptions", new TranscriptionsApi(false, faults)::create);
        routes.post("/v1/audio/translations", new TranscriptionsApi(true, faults)::create);
    }

    void create(Context ctx) throws IOException {
        var form = MultipartBody.parse(ctx.contentType(), ctx.bodyAsBytes());
        if (form.isEmpty()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Invalid Content-Type header ("
                    + Params.printable(String.valueOf(ctx.contentType())) + "), expected multipart/form-data.");
            return;
        }
        MultipartBody body = form.get();
        String model = Params.checkModel(ctx, body.field("model").orElse(""), translate ? WHISPER : TRANSCRIBERS, faults);
        if (model == null) return;
        var file = body.part("file").filter(MultipartBody.Part::isFile);
        if (file.isEmpty()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'file'.", "file");
            return;
        }
        if (file.get().bytes().length > MAX_FILE_BYTES) {
            ApiErrors.send(ctx, 413, "invalid_request_error", null, "Maximum content size limit (" + MAX_FILE_BYTES
                    + ") exceeded (" + file.get().bytes().length + " bytes read)", "file");
            return;
        }
        String name = file.get().filename() == null ? "" : file.get().filename(); // OpenAI reads the format from the name
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        if (!EXTENSIONS.contains(extension)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']", "file");
            return;
        }
        String format = body.field("response_format").orElse("json").strip();
        if (!FORMATS.contains(format)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value: '"
                    + Params.printable(format) + "'. Supported values are: 'json', 'text', 'srt', 'verbose_json', 'vtt', and 'diarized_json'.", "response_format");
            return;
        }
        boolean whisper = model.startsWith("whisper");
        boolean diarize = model.startsWith(DIARIZE);
        List<String> allowed = whisper ? List.of("json", "text", "srt", "verbose_json", "vtt")
                : diarize ? List.of("json", "text", "diarized_json") : List.of("json", "text");
        if (!allowed.contains(format)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value", "response_format '"
                    + format + "' is not compatible with model '" + model + "'. Use " + (diarize ? "'json', 'text' or 'diarized_json'"
                    : whisper ? "'json', 'text', 'srt', 'verbose_json' or 'vtt'" : "'json' or 'text'") + " instead.", "response_format");
            return;
        }
        boolean stream = body.field("stream").map(String::trim).map(s -> s.equalsIgnoreCase("true")).orElse(false);
        if (stream && (whisper || translate)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                    "Streaming is not supported for model '" + model + "'.", "stream");
            return;
        }
        String language = body.field("language").orElse("").strip();
        if (!language.isEmpty() && !language.matches("[a-z]{2}")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid language '"
                    + Params.printable(language) + "'. Language parameter must be specified in ISO-639-1 format.", "language");
            return;
        }
        List<String> granularities = body.all("timestamp_granularities").stream().map(MultipartBody.Part::text).map(String::trim).toList();
        if (granularities.stream().anyMatch(g -> !g.equals("word") && !g.equals("segment"))) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid value for 'timestamp_granularities': each must be 'word' or 'segment'.", "timestamp_granularities");
            return;
        }
        if (!granularities.isEmpty() && !format.equals("verbose_json")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                    "timestamp_granularities is only supported with response_format 'verbose_json'.", "timestamp_granularities");
            return;
        }
        boolean logprobs = body.all("include").stream().anyMatch(p -> p.text().strip().equals("logprobs"));
        String prompt = body.field("prompt").orElse("");
        // One voice: the first known speaker's name when the request gives names, else "A", as upstream labels them.
        String speaker = body.all("known_speaker_names").stream().map(MultipartBody.Part::text).findFirst().orElse("A");

        SpeechReader.Heard heard = SpeechReader.read(file.get().bytes());
        String text = heard.text().orElse(UNKNOWN_AUDIO);
        double seconds = heard.seconds();
        ObjectNode usage = whisper ? Json.obj("type", "duration", "seconds", Math.max(1, (long) Math.ceil(seconds)))
                : tokenUsage(seconds, prompt, text);
        if (stream) {
            stream(ctx, text, usage, logprobs, diarize ? diarized(text, seconds, speaker) : null);
            return;
        }
        switch (format) {
            case "text" -> ctx.contentType("text/plain; charset=utf-8").result(text + "\n");
            case "srt" -> ctx.contentType("text/plain; charset=utf-8").result(srt(segments(text, seconds)));
            case "vtt" -> ctx.contentType("text/vtt; charset=utf-8").result(vtt(segments(text, seconds)));
            case "diarized_json" -> json(ctx, Json.obj("task", "transcribe", "duration", seconds, "text", text,
                    "segments", diarized(text, seconds, speaker), "usage", usage));
            case "verbose_json" -> {
                ObjectNode out = Json.obj("task", translate ? "translate" : "transcribe",
                        "language", translate ? "english" : LANGUAGES.getOrDefault(language.isEmpty() ? "en" : language, language),
                        "duration", seconds, "text", text);
                if (granularities.contains("word")) out.set("words", words(text, seconds));
                if (granularities.isEmpty() || granularities.contains("segment")) out.set("segments", segmentObjects(text, seconds));
                if (!translate) out.set("usage", usage);
                json(ctx, out);
            }
            default -> {
                ObjectNode out = Json.obj("text", text);
                if (logprobs && !whisper) out.set("logprobs", logprobs(Tokenized.of(text)));
                if (!translate) out.set("usage", usage);
                json(ctx, out);
            }
        }
    }

    private static ObjectNode tokenUsage(double seconds, String prompt, String text) {
        int audio = Math.max(1, (int) Math.ceil(seconds * AUDIO_TOKENS_PER_SECOND));
        int promptTokens = Tokens.of(prompt);
        int output = Tokens.of(text);
        return Json.obj("type", "tokens", "input_tokens", audio + promptTokens,
                "input_token_details", Json.obj("text_tokens", promptTokens, "audio_tokens", audio),
                "output_tokens", output, "total_tokens", audio + promptTokens + output);
    }

    /**
     * Deltas, then {@code transcript.text.done}; with diarized segments, each segment's deltas (naming it) and then
     * the segment itself.
     */
    private static void stream(Context ctx, String text, ObjectNode usage, boolean logprobs, ArrayNode segments) throws IOException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        List<String> pieces = Tokenized.of(text);
        if (segments != null) {
            for (JsonNode segment : segments) {
                List<String> words = Tokenized.of(segment.path("text").asText());
                for (int i = 0; i < words.size(); i++) {
                    String piece = segment.path("id").asText().equals("seg_0") || i > 0 ? words.get(i) : " " + words.get(i);
                    ObjectNode delta = Json.obj("type", "transcript.text.delta", "delta", piece, "segment_id", segment.path("id").asText());
                    if (logprobs) delta.set("logprobs", logprobs(List.of(piece)));
                    frame(out, delta);
                }
                frame(out, (ObjectNode) segment);
            }
        } else {
            for (String piece : pieces) {
                ObjectNode delta = Json.obj("type", "transcript.text.delta", "delta", piece);
                if (logprobs) delta.set("logprobs", logprobs(List.of(piece)));
                frame(out, delta);
            }
        }
        ObjectNode done = Json.obj("type", "transcript.text.done", "text", text);
        if (logprobs) done.set("logprobs", logprobs(pieces));
        done.set("usage", usage);
        frame(out, done);
    }

    private static void frame(OutputStream out, ObjectNode event) throws IOException {
        out.write(("data: " + Json.write(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A sure model's log probabilities: every token at probability 1. */
    private static ArrayNode logprobs(List<String> pieces) {
        ArrayNode out = Json.arr();
        for (String piece : pieces) {
            ArrayNode bytes = Json.arr();
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xFF);
            out.add(Json.obj("token", piece, "logprob", 0.0, "bytes", bytes));
        }
        return out;
    }

    /** A span of the transcript with its time: sentences, each given time in proportion to its words. */
    record Segment(String text, double start, double end) {}

    static List<Segment> segments(String text, double seconds) {
        List<String> sentences = new ArrayList<>();
        for (String sentence : text.strip().split("(?<=[.!?])\\s+")) if (!sentence.isBlank()) sentences.add(sentence);
        if (sentences.isEmpty()) sentences.add(text.strip());
        int total = Math.max(1, SpeechApi.countWords(text));
        List<Segment> out = new ArrayList<>();
        int before = 0;
        for (String sentence : sentences) {
            int words = Math.max(1, SpeechApi.countWords(sentence));
            out.add(new Segment(sentence, seconds * before / total, seconds * Math.min(total, before + words) / total));
            before += words;
        }
        return out;
    }

    private static ArrayNode segmentObjects(String text, double seconds) {
        ArrayNode out = Json.arr();
        int id = 0;
        for (Segment segment : segments(text, seconds)) {
            ArrayNode tokens = Json.arr();
            for (String piece : Tokenized.of(segment.text())) tokens.add(Math.floorMod(piece.hashCode(), 50_000));
            out.add(Json.obj("id", id++, "seek", 0, "start", segment.start(), "end", segment.end(), "text", " " + segment.text(),
                    "tokens", tokens, "temperature", 0.0, "avg_logprob", -0.1, "compression_ratio", 1.0, "no_speech_prob", 0.01));
        }
        return out;
    }

    /** The sentences as diarized segments, all said by one speaker. */
    private static ArrayNode diarized(String text, double seconds, String speaker) {
        ArrayNode out = Json.arr();
        int id = 0;
        for (Segment segment : segments(text, seconds)) {
            out.add(Json.obj("type", "transcript.text.segment", "id", "seg_" + id++, "start", segment.start(),
                    "end", segment.end(), "text", segment.text(), "speaker", speaker));
        }
        return out;
    }

    private static ArrayNode words(String text, double seconds) {
        String[] words = text.strip().split("\\s+");
        ArrayNode out = Json.arr();
        for (int i = 0; i < words.length; i++) {
            String word = words[i].replaceAll("^[\\p{Punct}]+|[\\p{Punct}]+$", "");
            if (word.isEmpty()) continue;
            out.add(Json.obj("word", word, "start", seconds * i / words.length, "end", seconds * (i + 1) / words.length));
        }
        return out;
    }

    static String srt(List<Segment> segments) {
        StringBuilder out = new StringBuilder();
        int n = 1;
        for (Segment s : segments) {
            out.append(n++).append('\n').append(time(s.start(), ',')).append(" --> ").append(time(s.end(), ','))
                    .append('\n').append(s.text()).append("\n\n");
        }
        return out.toString();
    }

    static String vtt(List<Segment> segments) {
        StringBuilder out = new StringBuilder("WEBVTT\n\n");
        for (Segment s : segments) {
            out.append(time(s.start(), '.')).append(" --> ").append(time(s.end(), '.')).append('\n').append(s.text()).append("\n\n");
        }
        return out.toString();
    }

    private static String time(double seconds, char separator) {
        long millis = Math.round(seconds * 1000);
        return String.format("%02d:%02d:%02d%c%03d", millis / 3_600_000, (millis / 60_000) % 60, (millis / 1000) % 60, separator, millis % 1000);
    }

    private static void json(Context ctx, ObjectNode out) {
        ctx.contentType("application/json").result(Json.write(out));
    }

    /** The transcript in the pieces a stream sends: each word with the whitespace before it. */
    static final class Tokenized {
        static List<String> of(String text) {
            List<String> tokens = new ArrayList<>();
            int start = 0;
            for (int i = 1; i < text.length(); i++) {
                if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
                    tokens.add(text.substring(start, i));
                    start = i;
                }
            }
            if (start < text.length()) tokens.add(text.substring(start));
            return tokens;
        }
    }
}
