package dev.switchboard.emulator.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.audio.AudioResponseFormat;
import com.openai.models.audio.speech.SpeechCreateParams;
import com.openai.models.audio.transcriptions.Transcription;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionStreamEvent;
import com.openai.models.audio.transcriptions.TranscriptionVerbose;
import com.openai.models.audio.translations.TranslationCreateParams;
import dev.switchboard.emulator.media.MediaEmulator;
import dev.switchboard.emulator.media.MediaEmulator.Multipart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /v1/audio/transcriptions} and {@code /translations}: the emulator's own speech, in every format it writes,
 * transcribes back to its text (through the official SDK); every response format and the stream have OpenAI's shape;
 * what OpenAI refuses is refused.
 */
class TranscriptionsTest {
    static final String TEXT = "Hello from the emulator. Ünïcödé survives, and so do numbers: 42!";
    static MediaEmulator emulator;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        emulator = MediaEmulator.start();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    static byte[] speech(String text, SpeechCreateParams.ResponseFormat format) throws Exception {
        try (var response = emulator.sdk.audio().speech().create(SpeechCreateParams.builder().model("gpt-4o-mini-tts")
                .voice("alloy").input(text).responseFormat(format).build())) {
            return response.body().readAllBytes();
        }
    }

    /**
     * Each format, saved under a name OpenAI takes (it reads no .aac or .opus name: ADTS goes as .m4a, Ogg Opus as
     * .ogg); raw pcm has no container, so it is wrapped as wav by FFmpeg first, which shows the text is in the
     * samples themselves.
     */
    @ParameterizedTest
    @CsvSource({"mp3,speech.mp3", "opus,speech.ogg", "aac,speech.m4a", "flac,speech.flac", "wav,speech.wav", "pcm,speech.wav"})
    void speechInEveryFormatTranscribesBackToItsText(String format, String name) throws Exception {
        byte[] audio = speech(TEXT, SpeechCreateParams.ResponseFormat.of(format));
        Path file = dir.resolve(name);
        if (format.equals("pcm")) {
            Path raw = dir.resolve("speech.pcm");
            Files.write(raw, audio);
            ffmpeg("-f", "s16le", "-ar", "24000", "-ac", "1", "-i", raw.toString(), "-c:a", "pcm_s16le", file.toString());
        } else {
            Files.write(file, audio);
        }
        Transcription transcription = emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder()
                .model("gpt-4o-mini-transcribe").file(file).build()).asTranscription();
        assertThat(transcription.text()).isEqualTo(TEXT);
        var usage = transcription.usage().orElseThrow().asTokens();
        assertThat(usage.inputTokenDetails().orElseThrow().audioTokens().orElseThrow()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());

        TranscriptionVerbose verbose = emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder()
                .model("whisper-1").file(file).responseFormat(AudioResponseFormat.VERBOSE_JSON).build()).asVerbose();
        assertThat(verbose.text()).isEqualTo(TEXT);
        int words = TEXT.split("\\s+").length;
        assertThat(verbose.duration()).isCloseTo(words * 0.120, within(0.05));
    }

    @Test
    void aLosslessCopyMadeByAnotherEncoderStillCarriesTheText() throws Exception {
        Path flac = dir.resolve("speech.flac");
        Files.write(flac, speech("copied by ffmpeg", SpeechCreateParams.ResponseFormat.FLAC));
        Path wav = dir.resolve("copy.wav");
        ffmpeg("-i", flac.toString(), "-c:a", "pcm_s16le", wav.toString());
        assertThat(emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder().model("whisper-1")
                .file(wav).build()).asTranscription().text()).isEqualTo("copied by ffmpeg");
    }

    @Test
    void audioTheEmulatorDidNotWriteTranscribesToAFixedSentence() throws Exception {
        Path noise = dir.resolve("noise.wav");
        ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ar", "16000", noise.toString());
        for (int i = 0; i < 2; i++) {
            assertThat(emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder().model("whisper-1")
                    .file(noise).build()).asTranscription().text()).isEqualTo(TranscriptionsApi.UNKNOWN_AUDIO);
        }
        JsonNode verbose = emulator.postMultipart("/audio/transcriptions", new Multipart().field("model", "whisper-1")
                .field("response_format", "verbose_json").file("file", "noise.wav", "audio/wav", Files.readAllBytes(noise))).json();
        assertThat(verbose.path("duration").asDouble()).isCloseTo(2.0, within(0.01));
        assertThat(verbose.path("usage").path("seconds").asInt()).isEqualTo(2);
    }

    @Test
    void gpt4oTranscribeStreamsDeltasThenTheTextWithUsage() throws Exception {
        Path file = dir.resolve("speech.mp3");
        Files.write(file, speech(TEXT, SpeechCreateParams.ResponseFormat.MP3));
        List<TranscriptionStreamEvent> events = new ArrayList<>();
        try (StreamResponse<TranscriptionStreamEvent> stream = emulator.sdk.audio().transcriptions().createStreaming(
                TranscriptionCreateParams.builder().model("gpt-4o-transcribe").file(file).build())) {
            stream.stream().forEach(events::add);
        }
        StringBuilder deltas = new StringBuilder();
        events.stream().filter(TranscriptionStreamEvent::isTranscriptTextDelta)
                .forEach(e -> deltas.append(e.asTranscriptTextDelta().delta()));
        assertThat(deltas.toString()).isEqualTo(TEXT);
        TranscriptionStreamEvent last = events.getLast();
        assertThat(last.isTranscriptTextDone()).isTrue();
        assertThat(last.asTranscriptTextDone().text()).isEqualTo(TEXT);
        assertThat(last.asTranscriptTextDone().usage().orElseThrow().totalTokens()).isPositive();

        BadRequestException whisper = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class, () -> {
            try (var stream = emulator.sdk.audio().transcriptions().createStreaming(TranscriptionCreateParams.builder()
                    .model("whisper-1").file(file).build())) {
                stream.stream().count();
            }
        });
        assertThat(whisper.getMessage()).contains("whisper-1");
    }

    @Test
    void diarizeAnswersSegmentsWithTheirSpeakerAndStreamsThem() throws Exception {
        Path file = dir.resolve("speech.wav");
        Files.write(file, speech("First sentence here. Second one.", SpeechCreateParams.ResponseFormat.WAV));
        var diarized = emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder()
                .model("gpt-4o-transcribe-diarize").file(file).responseFormat(AudioResponseFormat.DIARIZED_JSON)
                .addKnownSpeakerName("agent").build()).asDiarized();
        assertThat(diarized.text()).isEqualTo("First sentence here. Second one.");
        assertThat(diarized.segments()).extracting(s -> s.text()).containsExactly("First sentence here.", "Second one.");
        assertThat(diarized.segments()).extracting(s -> s.speaker()).containsOnly("agent");
        assertThat(diarized.segments().get(1).end()).isCloseTo(diarized.duration(), within(1e-9));

        List<TranscriptionStreamEvent> events = new ArrayList<>();
        try (StreamResponse<TranscriptionStreamEvent> stream = emulator.sdk.audio().transcriptions().createStreaming(
                TranscriptionCreateParams.builder().model("gpt-4o-transcribe-diarize").file(file).build())) {
            stream.stream().forEach(events::add);
        }
        assertThat(events.stream().filter(TranscriptionStreamEvent::isTranscriptTextSegment).map(e -> e.asTranscriptTextSegment().text()))
                .containsExactly("First sentence here.", "Second one.");
        StringBuilder deltas = new StringBuilder();
        events.stream().filter(TranscriptionStreamEvent::isTranscriptTextDelta).forEach(e -> deltas.append(e.asTranscriptTextDelta().delta()));
        assertThat(deltas.toString()).isEqualTo("First sentence here. Second one.");
        assertThat(events.getLast().asTranscriptTextDone().text()).isEqualTo("First sentence here. Second one.");
        emulator.postMultipart("/audio/transcriptions", form("gpt-4o-transcribe", Files.readAllBytes(file))
                .field("response_format", "diarized_json")).error(400);
    }

    @Test
    void whisperAnswersTextSrtVttAndWordTimestamps() throws Exception {
        byte[] wav = speech("one two three. four five", SpeechCreateParams.ResponseFormat.WAV);
        MediaEmulator.Answer text = emulator.postMultipart("/audio/transcriptions", form("whisper-1", wav).field("response_format", "text"));
        assertThat(text.contentType()).startsWith("text/plain");
        assertThat(text.text()).isEqualTo("one two three. four five\n");
        MediaEmulator.Answer srt = emulator.postMultipart("/audio/transcriptions", form("whisper-1", wav).field("response_format", "srt"));
        assertThat(srt.text()).isEqualTo("1\n00:00:00,000 --> 00:00:00,360\none two three.\n\n2\n00:00:00,360 --> 00:00:00,600\nfour five\n\n");
        MediaEmulator.Answer vtt = emulator.postMultipart("/audio/transcriptions", form("whisper-1", wav).field("response_format", "vtt"));
        assertThat(vtt.text()).startsWith("WEBVTT\n\n00:00:00.000 --> 00:00:00.360\none two three.\n");
        JsonNode words = emulator.postMultipart("/audio/transcriptions", form("whisper-1", wav).field("response_format", "verbose_json")
                .field("timestamp_granularities[]", "word").field("language", "en")).json();
        assertThat(words.path("language").asText()).isEqualTo("english");
        assertThat(words.path("words")).hasSize(5);
        assertThat(words.path("words").get(2).path("word").asText()).isEqualTo("three");
        assertThat(words.path("words").get(4).path("end").asDouble()).isCloseTo(0.6, within(1e-9));
    }

    @Test
    void translationsAnswerInEnglishWithoutUsage() throws Exception {
        Path file = dir.resolve("speech.wav");
        Files.write(file, speech("bonjour tout le monde", SpeechCreateParams.ResponseFormat.WAV));
        var translation = emulator.sdk.audio().translations().create(TranslationCreateParams.builder().model("whisper-1")
                .file(file).build());
        assertThat(translation.asTranslation().text()).isEqualTo("bonjour tout le monde");
        JsonNode verbose = emulator.postMultipart("/audio/translations", form("whisper-1", Files.readAllBytes(file))
                .field("response_format", "verbose_json")).json();
        assertThat(verbose.path("language").asText()).isEqualTo("english");
        assertThat(verbose.has("usage")).isFalse();
        assertThatThrownBy(() -> emulator.sdk.audio().translations().create(TranslationCreateParams.builder()
                .model("gpt-4o-transcribe").file(file).build())).isInstanceOf(BadRequestException.class);
    }

    @Test
    void speechStreamsAsServerSentEventsForGpt4oMiniTtsOnly() throws Exception {
        MediaEmulator.Answer sse = emulator.postJson("/audio/speech", "{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\","
                + "\"input\":\"" + TEXT + "\",\"response_format\":\"wav\",\"stream_format\":\"sse\"}");
        assertThat(sse.contentType()).startsWith("text/event-stream");
        List<JsonNode> events = sse.events();
        assertThat(events.getLast().path("type").asText()).isEqualTo("speech.audio.done");
        assertThat(events.getLast().path("usage").path("total_tokens").asInt()).isPositive();
        var audio = new java.io.ByteArrayOutputStream();
        for (JsonNode event : events.subList(0, events.size() - 1)) {
            assertThat(event.path("type").asText()).isEqualTo("speech.audio.delta");
            audio.writeBytes(Base64.getDecoder().decode(event.path("audio").asText()));
        }
        assertThat(audio.toByteArray()).isEqualTo(speech(TEXT, SpeechCreateParams.ResponseFormat.WAV));
        assertThat(emulator.postMultipart("/audio/transcriptions", form("gpt-4o-transcribe", audio.toByteArray())).json()
                .path("text").asText()).isEqualTo(TEXT);
        emulator.postJson("/audio/speech", "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"x\",\"stream_format\":\"sse\"}")
                .error(400);
    }

    @Test
    void compressedSpeechStreamsInSeveralDeltasAsItIsMade() throws Exception {
        String sentence = "one two three four five six seven eight nine ten eleven twelve";
        List<JsonNode> events = emulator.postJson("/audio/speech", "{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\","
                + "\"input\":\"" + sentence + "\",\"stream_format\":\"sse\"}").events();
        List<JsonNode> deltas = events.subList(0, events.size() - 1);
        // Twelve words are 1.44 s of speech: three deltas of four words, however small the mp3 is.
        assertThat(deltas).hasSizeGreaterThanOrEqualTo(3);
        var audio = new java.io.ByteArrayOutputStream();
        for (JsonNode event : deltas) audio.writeBytes(Base64.getDecoder().decode(event.path("audio").asText()));
        assertThat(audio.toByteArray()).isEqualTo(speech(sentence, SpeechCreateParams.ResponseFormat.MP3));
    }

    @Test
    void anUnknownModelIsNotFound() throws Exception {
        assertThatThrownBy(() -> emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder()
                .model("whisper-9").file(speech("x", SpeechCreateParams.ResponseFormat.WAV)).build()))
                .isInstanceOf(NotFoundException.class);
        assertThat(emulator.postMultipart("/audio/transcriptions", form("whisper-9", new byte[10])).error(404)
                .path("code").asText()).isEqualTo("model_not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-model", "no-file", "bad-extension", "no-file-name", "srt-for-gpt4o", "bad-format", "bad-language",
            "nul-model", "crlf-model", "words-without-verbose", "chat-model"})
    void malformedRequestsAreRefusedWith400(String kind) throws Exception {
        byte[] wav = speech("x", SpeechCreateParams.ResponseFormat.WAV);
        Multipart form = switch (kind) {
            case "no-model" -> new Multipart().file("file", "a.wav", "audio/wav", wav);
            case "no-file" -> new Multipart().field("model", "whisper-1");
            case "bad-extension" -> new Multipart().field("model", "whisper-1").file("file", "a.exe", "audio/wav", wav);
            case "no-file-name" -> new Multipart().field("model", "whisper-1").fileWithoutName("file", "audio/wav", wav);
            case "srt-for-gpt4o" -> form("gpt-4o-transcribe", wav).field("response_format", "srt");
            case "bad-format" -> form("whisper-1", wav).field("response_format", "xml");
            case "bad-language" -> form("whisper-1", wav).field("language", "english\r\nX: 1");
            case "nul-model" -> new Multipart().field("model", "whisper-1\u0000").file("file", "a.wav", "audio/wav", wav);
            case "crlf-model" -> new Multipart().field("model", "whisper-1\r\nX-Evil: 1").file("file", "a.wav", "audio/wav", wav);
            case "words-without-verbose" -> form("whisper-1", wav).field("timestamp_granularities[]", "word");
            case "chat-model" -> form("gpt-4o", wav);
            default -> throw new IllegalArgumentException(kind);
        };
        MediaEmulator.Answer answer = emulator.postMultipart("/audio/transcriptions", form);
        answer.error(400);
        assertThat(answer.text()).doesNotContain("\u0000").doesNotContain("\r\n");
    }

    @Test
    void aJsonBodyAndAFileOver25MegabytesAreRefused() throws Exception {
        emulator.postJson("/audio/transcriptions", "{\"model\":\"whisper-1\",\"file\":\"x\"}").error(400);
        emulator.postMultipart("/audio/transcriptions", form("whisper-1", new byte[26 * 1024 * 1024])).error(413);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\",\"input\":42}",
            "{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\"}",
            "{\"model\":\"gpt-4o-mini-tts\",\"input\":\"x\"}",
            "{\"model\":\"gpt-4o\",\"voice\":\"alloy\",\"input\":\"x\"}",
            "{\"model\":\"tts-1\\u0000\",\"voice\":\"alloy\",\"input\":\"x\"}",
            "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"x\",\"stream_format\":\"chunks\"}",
            "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"x\",\"speed\":9}",
            "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"x\",\"speed\":\"fast\"}",
            "{\"model\":\"tts-1\",\"voice\":[\"alloy\"],\"input\":\"x\"}",
            "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"x\",\"response_format\":\"ogg\\r\\n\"}"})
    void malformedSpeechRequestsAreRefusedWith400(String body) throws Exception {
        MediaEmulator.Answer answer = emulator.postJson("/audio/speech", body);
        answer.error(400);
        assertThat(answer.text()).doesNotContain("\u0000").doesNotContain("\r\n");
    }

    @Test
    void theLongestInputStillRoundTrips() throws Exception {
        String longest = "w".repeat(4096); // one word, far more text than 120 ms of samples can carry
        Path file = dir.resolve("long.flac");
        Files.write(file, speech(longest, SpeechCreateParams.ResponseFormat.FLAC));
        assertThat(emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder().model("whisper-1")
                .file(file).build()).asTranscription().text()).isEqualTo(longest);
        Path mp3 = dir.resolve("long.mp3");
        Files.write(mp3, speech(longest, SpeechCreateParams.ResponseFormat.MP3));
        assertThat(emulator.sdk.audio().transcriptions().create(TranscriptionCreateParams.builder().model("whisper-1")
                .file(mp3).build()).asTranscription().text()).isEqualTo(longest);
    }

    private static Multipart form(String model, byte[] audio) {
        return new Multipart().field("model", model).file("file", "speech.wav", "audio/wav", audio);
    }

    private void ffmpeg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "ffmpeg", ".txt");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(err)).isZero();
    }
}
