package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import dev.switchboard.emulator.media.MediaEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of object and event the emulator sends, validated against OpenAI's OpenAPI description: a session
 * that makes the emulator emit each one (Chat Completions, Responses, Conversations, Models, errors, client secrets,
 * and every Responses stream and Realtime server event), each checked against its component schema. The spec's own
 * known defects (fields its examples show null where its schemas forbid it) are corrected as it is loaded, in one
 * documented list: {@link OpenApiSpec#NULL_IN_FACT}.
 */
class SpecConformanceTest {

    static OpenApiSpec spec;
    static final List<Sample> samples = new ArrayList<>();

    record Sample(String schema, String where, JsonNode instance) {}

    @BeforeAll
    static void start() throws Exception {
        spec = OpenApiSpec.load();
        ToolChoiceTest.start();
        ToolChoiceTest.emulator.script("spec-tool", "{\"tool_call\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}");
        ToolChoiceTest.emulator.script("spec-slow", "{\"tokens\":50,\"delay_ms\":40}");
    }

    @AfterAll
    static void stop() {
        ToolChoiceTest.stop();
    }

    @Test
    void everyObjectAndEventTheEmulatorSendsValidatesAgainstTheSpec() throws Exception {
        chatCompletions();
        responses();
        conversations();
        models();
        errors();
        realtime();
        dataApis();
        media();

        Map<String, List<String>> failures = new TreeMap<>();
        Set<String> covered = new TreeSet<>();
        for (Sample sample : samples) {
            assertThat(spec.has(sample.schema())).as("the spec has no schema %s (%s)", sample.schema(), sample.where()).isTrue();
            covered.add(sample.schema());
            List<String> problems = spec.problems(sample.schema(), sample.instance());
            if (!problems.isEmpty()) {
                failures.computeIfAbsent(sample.schema() + " (" + sample.where() + ")", k -> new ArrayList<>())
                        .add(problems + " in " + Json.write(sample.instance()));
            }
        }
        assertThat(failures).as("objects and events that do not validate").isEmpty();
        assertThat(covered).as("schemas checked").contains("CreateChatCompletionResponse", "CreateChatCompletionStreamResponse",
                "Response", "ResponseItemList", "ConversationResource", "ConversationItemList", "ConversationItem",
                "DeletedConversationResource", "ListModelsResponse", "Model", "ErrorResponse",
                "RealtimeCreateClientSecretResponse", "ChatSessionResource", "OpenAIFile", "ListFilesResponse",
                "DeleteFileResponse", "Upload", "UploadPart", "Batch", "ListBatchesResponse", "VectorStoreObject",
                "ListVectorStoresResponse", "DeleteVectorStoreResponse", "VectorStoreFileObject", "ListVectorStoreFilesResponse",
                "DeleteVectorStoreFileResponse", "VectorStoreFileBatchObject", "VectorStoreSearchResultsPage",
                "VectorStoreFileContentResponse");
        assertThat(covered).as("media schemas checked").containsAll(MEDIA_SCHEMAS);
        Set<String> realtimeTypes = new TreeSet<>();
        Set<String> responseTypes = new TreeSet<>();
        for (Sample sample : samples) {
            if (sample.where().startsWith("realtime ")) realtimeTypes.add(sample.instance().path("type").asText());
            if (sample.where().startsWith("responses stream")) responseTypes.add(sample.instance().path("type").asText());
        }
        assertThat(realtimeTypes).as("Realtime server events checked").containsAll(REALTIME_EVENTS);
        assertThat(responseTypes).as("Responses stream events checked").containsAll(RESPONSES_EVENTS);
    }

    /** Every object and event of the embeddings, moderations, images and audio endpoints. */
    static final Set<String> MEDIA_SCHEMAS = Set.of("CreateEmbeddingResponse", "CreateModerationResponse", "ImagesResponse",
            "ImageGenPartialImageEvent", "ImageGenCompletedEvent", "ImageEditPartialImageEvent", "ImageEditCompletedEvent",
            "CreateTranscriptionResponseJson", "CreateTranscriptionResponseVerboseJson", "CreateTranslationResponseJson",
            "CreateTranslationResponseVerboseJson", "TranscriptTextDeltaEvent", "TranscriptTextDoneEvent",
            "SpeechAudioDeltaEvent", "SpeechAudioDoneEvent", "CreateTranscriptionResponseDiarizedJson", "TranscriptTextSegmentEvent");

    /** Every Realtime server event the emulator sends. */
    static final Set<String> REALTIME_EVENTS = Set.of("session.created", "session.updated", "error",
            "conversation.item.added", "conversation.item.done", "response.created", "response.output_item.added",
            "response.content_part.added", "response.output_text.delta", "response.output_text.done",
            "response.output_audio.delta", "response.output_audio.done", "response.output_audio_transcript.delta",
            "response.output_audio_transcript.done", "response.content_part.done", "response.output_item.done",
            "response.done", "rate_limits.updated", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed", "input_audio_buffer.cleared",
            "conversation.item.input_audio_transcription.completed");

    /** Every Responses stream event the emulator sends. */
    static final Set<String> RESPONSES_EVENTS = Set.of("response.created", "response.queued", "response.in_progress",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.completed",
            "response.incomplete");

    private static void chatCompletions() throws Exception {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]";
        sample("CreateChatCompletionResponse", "chat", ToolChoiceTest.post("/chat/completions",
                "{\"model\":\"gpt-4o-mini\"," + messages + "}"));
        sample("CreateChatCompletionResponse", "chat tool call", ToolChoiceTest.post("/chat/completions",
                "{\"model\":\"spec-tool\"," + messages + "}"));
        for (String model : new String[] {"gpt-4o-mini", "spec-tool"}) {
            String body = ToolChoiceTest.postRaw("/chat/completions", "{\"model\":\"" + model + "\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}," + messages + "}").body();
            for (JsonNode chunk : ToolChoiceTest.events(body)) sample("CreateChatCompletionStreamResponse", "chat stream", chunk);
        }
    }

    private static void responses() throws Exception {
        String tools = "\"tools\":[" + ToolChoiceTest.responsesTool("get_weather",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}") + "]";
        JsonNode text = ToolChoiceTest.post("/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hello\"}");
        sample("Response", "responses", text);
        sample("Response", "responses tool call", ToolChoiceTest.post("/responses",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"weather\",\"tool_choice\":\"required\"," + tools + "}"));
        sample("Response", "responses incomplete", ToolChoiceTest.post("/responses",
                "{\"model\":\"gpt-4o-mini;tokens=9\",\"input\":\"x\",\"max_output_tokens\":2}"));
        sample("Response", "responses retrieve", Json.parse(ToolChoiceTest.get("/responses/" + text.path("id").asText()).body()));
        sample("ResponseItemList", "responses input items", Json.parse(ToolChoiceTest.get("/responses/"
                + text.path("id").asText() + "/input_items").body()));
        Map<String, String> eventSchemas = spec.eventSchemas("ResponseStreamEvent");
        for (String request : new String[] {
                "{\"model\":\"gpt-4o-mini\",\"input\":\"hello\",\"stream\":true}",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"hello\",\"stream\":true,\"background\":true}",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"w\",\"stream\":true,\"tool_choice\":\"required\"," + tools + "}",
                "{\"model\":\"gpt-4o-mini;tokens=9\",\"input\":\"x\",\"stream\":true,\"max_output_tokens\":2}"}) {
            for (JsonNode event : ToolChoiceTest.events(ToolChoiceTest.postRaw("/responses", request).body())) {
                sample(eventSchemas.getOrDefault(event.path("type").asText(), "ResponseStreamEvent"),
                        "responses stream " + event.path("type").asText(), event);
            }
        }
        JsonNode background = ToolChoiceTest.post("/responses",
                "{\"model\":\"spec-slow\",\"input\":\"x\",\"background\":true}");
        sample("Response", "responses background", background);
        HttpResponse<String> cancelled = ToolChoiceTest.postRaw("/responses/" + background.path("id").asText() + "/cancel", "{}");
        sample("Response", "responses cancel", Json.parse(cancelled.body()));
    }

    private static void conversations() throws Exception {
        JsonNode conversation = ToolChoiceTest.post("/conversations", "{\"items\":[{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":\"hi\"},{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":\"hello\"}]}],\"metadata\":{\"topic\":\"spec\"}}");
        sample("ConversationResource", "conversation", conversation);
        String id = conversation.path("id").asText();
        ToolChoiceTest.post("/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"again\",\"conversation\":\"" + id + "\"}");
        sample("ConversationItemList", "conversation add items", ToolChoiceTest.post("/conversations/" + id + "/items",
                "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"more\"}]}]}"));
        JsonNode items = Json.parse(ToolChoiceTest.get("/conversations/" + id + "/items").body());
        sample("ConversationItemList", "conversation items", items);
        for (JsonNode item : items.path("data")) {
            sample("ConversationItem", "conversation item", Json.parse(ToolChoiceTest.get("/conversations/" + id + "/items/"
                    + item.path("id").asText()).body()));
        }
        sample("ConversationResource", "conversation retrieve", Json.parse(ToolChoiceTest.get("/conversations/" + id).body()));
        sample("DeletedConversationResource", "conversation delete", Json.parse(ToolChoiceTest.HTTP.send(HttpRequest.newBuilder(
                URI.create(ToolChoiceTest.emulator.baseUrl() + "/conversations/" + id)).header("Authorization", "Bearer "
                + ToolChoiceTest.KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString()).body()));
    }

    private static void models() throws Exception {
        sample("ListModelsResponse", "models", Json.parse(ToolChoiceTest.get("/models").body()));
        sample("Model", "model", Json.parse(ToolChoiceTest.get("/models/gpt-4o-mini").body()));
    }

    private static void errors() throws Exception {
        sample("ErrorResponse", "unknown model", Json.parse(ToolChoiceTest.get("/models/gpt-nope").body()));
        sample("ErrorResponse", "missing model", Json.parse(ToolChoiceTest.postRaw("/responses", "{\"input\":\"x\"}").body()));
        sample("ErrorResponse", "scripted failure", Json.parse(ToolChoiceTest.postRaw("/chat/completions",
                "{\"model\":\"gpt-4o-mini;fail=429\",\"messages\":[]}").body()));
        sample("ErrorResponse", "bad key", Json.parse(ToolChoiceTest.HTTP.send(HttpRequest.newBuilder(
                URI.create(ToolChoiceTest.emulator.baseUrl() + "/models")).header("Authorization", "Bearer sk-wrong-key-1234")
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body()));
        sample("RealtimeCreateClientSecretResponse", "client secret", ToolChoiceTest.post("/realtime/client_secrets",
                "{\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\"}}"));
        HttpResponse<String> chatKit = ToolChoiceTest.HTTP.send(HttpRequest.newBuilder(URI.create(ToolChoiceTest.emulator.baseUrl()
                        + "/chatkit/sessions")).header("Authorization", "Bearer " + ToolChoiceTest.KEY)
                .header("OpenAI-Beta", "chatkit_beta=v1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"team-a\",\"workflow\":{\"id\":\"wf_support\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chatKit.statusCode()).as(chatKit.body()).isEqualTo(200);
        sample("ChatSessionResource", "chatkit session", Json.parse(chatKit.body()));
        HttpResponse<String> cancelled = ToolChoiceTest.HTTP.send(HttpRequest.newBuilder(URI.create(ToolChoiceTest.emulator.baseUrl()
                        + "/chatkit/sessions/" + Json.parse(chatKit.body()).path("id").asText() + "/cancel"))
                .header("Authorization", "Bearer " + ToolChoiceTest.KEY).header("OpenAI-Beta", "chatkit_beta=v1")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        sample("ChatSessionResource", "chatkit cancel", Json.parse(cancelled.body()));
    }

    private static void media() throws Exception {
        try (MediaEmulator media = MediaEmulator.start()) {
            // Embeddings (the spec's schema describes float vectors; base64 answers a string in their place).
            sample("CreateEmbeddingResponse", "embeddings", media.postJson("/embeddings",
                    "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"dimensions\":8}").json());
            sample("CreateEmbeddingResponse", "embeddings tokens", media.postJson("/embeddings",
                    "{\"model\":\"text-embedding-ada-002\",\"input\":[[1,2],[3]]}").json());
            // Moderations
            sample("CreateModerationResponse", "moderation omni", media.postJson("/moderations",
                    "{\"input\":[\"kill\",\"idiot\"]}").json());
            sample("CreateModerationResponse", "moderation image", media.postJson("/moderations", "{\"input\":[{\"type\":\"text\","
                    + "\"text\":\"hi\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/gore.png\"}}]}").json());
            sample("CreateModerationResponse", "moderation text model", media.postJson("/moderations",
                    "{\"model\":\"text-moderation-latest\",\"input\":\"murder\"}").json());
            // Images
            sample("ImagesResponse", "images gpt", media.postJson("/images/generations",
                    "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"size\":\"1536x1024\",\"quality\":\"low\"}").json());
            sample("ImagesResponse", "images dall-e-2 url", media.postJson("/images/generations",
                    "{\"model\":\"dall-e-2\",\"prompt\":\"x\",\"size\":\"256x256\"}").json());
            sample("ImagesResponse", "images dall-e-3", media.postJson("/images/generations",
                    "{\"model\":\"dall-e-3\",\"prompt\":\"x\",\"response_format\":\"b64_json\"}").json());
            byte[] png = java.util.Base64.getDecoder().decode(media.postJson("/images/generations",
                    "{\"model\":\"dall-e-2\",\"prompt\":\"x\",\"size\":\"256x256\",\"response_format\":\"b64_json\"}")
                    .json().path("data").get(0).path("b64_json").asText());
            sample("ImagesResponse", "images edit", media.postMultipart("/images/edits", new MediaEmulator.Multipart()
                    .field("model", "gpt-image-1").field("prompt", "x").file("image", "a.png", "image/png", png)).json());
            sample("ImagesResponse", "images variation", media.postMultipart("/images/variations", new MediaEmulator.Multipart()
                    .file("image", "a.png", "image/png", png).field("size", "256x256")).json());
            Map<String, String> generation = spec.eventSchemas("ImageGenStreamEvent");
            for (JsonNode event : media.postJson("/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"x\","
                    + "\"stream\":true,\"partial_images\":2,\"quality\":\"low\"}").events()) {
                sample(generation.getOrDefault(event.path("type").asText(), "ImageGenStreamEvent"), "images stream", event);
            }
            Map<String, String> edit = spec.eventSchemas("ImageEditStreamEvent");
            for (JsonNode event : media.postMultipart("/images/edits", new MediaEmulator.Multipart().field("model", "gpt-image-1")
                    .field("prompt", "x").field("stream", "true").field("partial_images", "1")
                    .file("image", "a.png", "image/png", png)).events()) {
                sample(edit.getOrDefault(event.path("type").asText(), "ImageEditStreamEvent"), "images edit stream", event);
            }
            // Audio
            byte[] wav = media.postJson("/audio/speech", "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"one. two\","
                    + "\"response_format\":\"wav\"}").body();
            Map<String, String> speech = spec.eventSchemas("CreateSpeechResponseStreamEvent");
            for (JsonNode event : media.postJson("/audio/speech", "{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\","
                    + "\"input\":\"one. two\",\"stream_format\":\"sse\"}").events()) {
                sample(speech.getOrDefault(event.path("type").asText(), "CreateSpeechResponseStreamEvent"), "speech stream", event);
            }
            java.util.function.Function<String, MediaEmulator.Multipart> audio = model -> new MediaEmulator.Multipart()
                    .field("model", model).file("file", "speech.wav", "audio/wav", wav);
            sample("CreateTranscriptionResponseJson", "transcription gpt-4o", media.postMultipart("/audio/transcriptions",
                    audio.apply("gpt-4o-transcribe").field("include[]", "logprobs")).json());
            sample("CreateTranscriptionResponseJson", "transcription whisper", media.postMultipart("/audio/transcriptions",
                    audio.apply("whisper-1")).json());
            sample("CreateTranscriptionResponseVerboseJson", "transcription verbose", media.postMultipart("/audio/transcriptions",
                    audio.apply("whisper-1").field("response_format", "verbose_json").field("timestamp_granularities[]", "word")
                            .field("timestamp_granularities[]", "segment")).json());
            sample("CreateTranscriptionResponseDiarizedJson", "transcription diarized", media.postMultipart("/audio/transcriptions",
                    audio.apply("gpt-4o-transcribe-diarize").field("response_format", "diarized_json")).json());
            for (JsonNode event : media.postMultipart("/audio/transcriptions", audio.apply("gpt-4o-transcribe-diarize")
                    .field("stream", "true")).events()) {
                sample(spec.eventSchemas("CreateTranscriptionResponseStreamEvent").getOrDefault(event.path("type").asText(),
                        "CreateTranscriptionResponseStreamEvent"), "transcription diarized stream", event);
            }
            sample("CreateTranslationResponseJson", "translation", media.postMultipart("/audio/translations",
                    audio.apply("whisper-1")).json());
            sample("CreateTranslationResponseVerboseJson", "translation verbose", media.postMultipart("/audio/translations",
                    audio.apply("whisper-1").field("response_format", "verbose_json")).json());
            Map<String, String> transcript = spec.eventSchemas("CreateTranscriptionResponseStreamEvent");
            for (String include : new String[] {"", "logprobs"}) {
                for (JsonNode event : media.postMultipart("/audio/transcriptions", audio.apply("gpt-4o-mini-transcribe")
                        .field("stream", "true").field("include[]", include)).events()) {
                    sample(transcript.getOrDefault(event.path("type").asText(), "CreateTranscriptionResponseStreamEvent"),
                            "transcription stream", event);
                }
            }
            // Refusals
            sample("ErrorResponse", "embeddings unknown model", media.postJson("/embeddings",
                    "{\"model\":\"text-embedding-9\",\"input\":\"x\"}").json());
            sample("ErrorResponse", "embeddings bad input", media.postJson("/embeddings",
                    "{\"model\":\"text-embedding-3-small\",\"input\":[]}").json());
            sample("ErrorResponse", "moderation bad input", media.postJson("/moderations", "{\"input\":7}").json());
            sample("ErrorResponse", "images webp", media.postJson("/images/generations",
                    "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"output_format\":\"webp\"}").json());
            sample("ErrorResponse", "transcription stream whisper", media.postMultipart("/audio/transcriptions",
                    audio.apply("whisper-1").field("stream", "true")).json());
            sample("ErrorResponse", "transcription too large", media.postMultipart("/audio/transcriptions",
                    new MediaEmulator.Multipart().field("model", "whisper-1").file("file", "a.wav", "audio/wav",
                            new byte[26 * 1024 * 1024])).json());
        }
    }

    private static void realtime() throws Exception {
        String url = "ws://127.0.0.1:" + ToolChoiceTest.emulator.port() + "/v1/realtime?model=gpt-realtime";
        try (RealtimeWebSocketTest.Client client = RealtimeWebSocketTest.Client.connectTo(url, ToolChoiceTest.KEY)) {
            until(client, "session.created");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"],"
                    + "\"audio\":{\"input\":{\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"}}},"
                    + "\"tools\":[" + ToolChoiceTest.responsesTool("get_weather", "{\"type\":\"object\",\"properties\":"
                    + "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}") + "]}}");
            until(client, "session.updated");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}]}}");
            until(client, "conversation.item.done");
            client.send("{\"type\":\"response.create\"}");
            until(client, "rate_limits.updated");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"audio\"]}}");
            until(client, "rate_limits.updated");
            client.send("{\"type\":\"response.create\",\"response\":{\"tool_choice\":\"required\"}}");
            until(client, "response.done");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\","
                    + "\"call_id\":\"call_1\",\"output\":\"sunny\"}}");
            until(client, "conversation.item.done");
            client.send(RealtimeWebSocketTest.append(RealtimeWebSocketTest.silence(300)));
            client.send(RealtimeWebSocketTest.append(RealtimeWebSocketTest.tone(600)));
            client.send(RealtimeWebSocketTest.append(RealtimeWebSocketTest.silence(400)));
            until(client, "rate_limits.updated");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
            client.send("{\"type\":\"response.cancel\"}");
            until(client, "rate_limits.updated");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"],\"max_output_tokens\":1}}");
            until(client, "rate_limits.updated");
            client.send("{\"type\":\"input_audio_buffer.clear\"}");
            until(client, "input_audio_buffer.cleared");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":[]}}");
            until(client, "error");
        }
    }

    /** Files, uploads, batches (their output lines' bodies too) and vector stores, with their errors. */
    private static void dataApis() throws Exception {
        var client = new DataApiClient(ToolChoiceTest.emulator, ToolChoiceTest.KEY);
        JsonNode file = Json.parse(client.multipart("/files", new String[][] {{"purpose", "assistants"}}, "file", "spec.txt",
                () -> new ByteArrayInputStream("Penguins swim in cold water.".getBytes())).body());
        sample("OpenAIFile", "file", file);
        String fileId = file.path("id").asText();
        sample("OpenAIFile", "file retrieve", client.ok("GET", "/files/" + fileId, null));
        sample("ListFilesResponse", "files list", client.ok("GET", "/files?limit=1", null));
        sample("ErrorResponse", "unknown file", Json.parse(client.json("GET", "/files/file-unknown", null).body()));
        sample("ErrorResponse", "invalid url", Json.parse(client.json("GET", "/unknown", null).body()));

        JsonNode upload = client.ok("POST", "/uploads", "{\"filename\":\"u.txt\",\"purpose\":\"user_data\",\"bytes\":5,"
                + "\"mime_type\":\"text/plain\"}");
        sample("Upload", "upload", upload);
        JsonNode part = Json.parse(client.multipart("/uploads/" + upload.path("id").asText() + "/parts", new String[][] {},
                "data", "blob", () -> new ByteArrayInputStream("hello".getBytes())).body());
        sample("UploadPart", "upload part", part);
        sample("Upload", "upload complete", client.ok("POST", "/uploads/" + upload.path("id").asText() + "/complete",
                "{\"part_ids\":[\"" + part.path("id").asText() + "\"]}"));
        JsonNode other = client.ok("POST", "/uploads", "{\"filename\":\"v.txt\",\"purpose\":\"user_data\",\"bytes\":5,"
                + "\"mime_type\":\"text/plain\"}");
        sample("Upload", "upload cancel", client.ok("POST", "/uploads/" + other.path("id").asText() + "/cancel", null));

        String line = "{\"custom_id\":\"one\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n";
        for (String input : new String[] {line, line + "not json\n"}) {
            JsonNode inputFile = Json.parse(client.multipart("/files", new String[][] {{"purpose", "batch"}}, "file", "in.jsonl",
                    () -> new ByteArrayInputStream(input.getBytes())).body());
            JsonNode batch = client.ok("POST", "/batches", "{\"input_file_id\":\"" + inputFile.path("id").asText()
                    + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"metadata\":{\"k\":\"v\"}}");
            sample("Batch", "batch", batch);
            JsonNode done = BatchesTestSupport.awaitEnd(client, batch.path("id").asText());
            sample("Batch", "batch " + done.path("status").asText(), done);
            if (done.has("output_file_id")) {
                HttpResponse<String> output = client.json("GET", "/files/" + done.path("output_file_id").asText() + "/content", null);
                sample("CreateChatCompletionResponse", "batch output body", Json.parse(output.body().strip()).at("/response/body"));
            }
        }
        sample("ListBatchesResponse", "batches list", client.ok("GET", "/batches", null));

        JsonNode store = client.ok("POST", "/vector_stores", "{\"name\":\"spec\",\"file_ids\":[\"" + fileId + "\"],"
                + "\"metadata\":{\"k\":\"v\"},\"expires_after\":{\"anchor\":\"last_active_at\",\"days\":2}}");
        sample("VectorStoreObject", "vector store", store);
        String vs = "/vector_stores/" + store.path("id").asText();
        sample("VectorStoreObject", "vector store update", client.ok("POST", vs, "{\"name\":\"renamed\"}"));
        sample("ListVectorStoresResponse", "vector stores list", client.ok("GET", "/vector_stores", null));
        String second = Json.parse(client.multipart("/files", new String[][] {{"purpose", "assistants"}}, "file", "b.txt",
                () -> new ByteArrayInputStream("Kettles boil water.".getBytes())).body()).path("id").asText();
        sample("VectorStoreFileObject", "vector store file", client.ok("POST", vs + "/files", "{\"file_id\":\"" + second
                + "\",\"attributes\":{\"lang\":\"en\",\"rank\":2,\"draft\":false}}"));
        sample("VectorStoreFileObject", "vector store file retrieve", client.ok("GET", vs + "/files/" + second, null));
        sample("ListVectorStoreFilesResponse", "vector store files", client.ok("GET", vs + "/files", null));
        JsonNode batch = client.ok("POST", vs + "/file_batches", "{\"file_ids\":[\"" + fileId + "\"]}");
        sample("VectorStoreFileBatchObject", "vector store file batch", batch);
        sample("VectorStoreFileBatchObject", "vector store file batch retrieve",
                client.ok("GET", vs + "/file_batches/" + batch.path("id").asText(), null));
        sample("ListVectorStoreFilesResponse", "vector store file batch files",
                client.ok("GET", vs + "/file_batches/" + batch.path("id").asText() + "/files", null));
        JsonNode results = client.ok("POST", vs + "/search", "{\"query\":\"do penguins swim\"}");
        assertThat(results.path("data")).isNotEmpty();
        sample("VectorStoreSearchResultsPage", "vector store search", results);
        sample("VectorStoreFileContentResponse", "vector store file content", client.ok("GET", vs + "/files/" + fileId + "/content", null));
        sample("DeleteVectorStoreFileResponse", "vector store file delete", client.ok("DELETE", vs + "/files/" + second, null));
        sample("DeleteVectorStoreResponse", "vector store delete", client.ok("DELETE", vs, null));
        sample("ErrorResponse", "unknown vector store", Json.parse(client.json("GET", vs, null).body()));
        sample("DeleteFileResponse", "file delete", client.ok("DELETE", "/files/" + second, null));
    }

    /** Records every event up to and including the first of this type. */
    private static void until(RealtimeWebSocketTest.Client client, String type) throws Exception {
        Map<String, String> schemas = spec.eventSchemas("RealtimeServerEvent");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String text = client.messages().poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (text == null) throw new AssertionError("no " + type + " within 10 s");
            JsonNode event = Json.parse(text);
            String eventType = event.path("type").asText();
            sample(schemas.getOrDefault(eventType, "RealtimeServerEvent"), "realtime " + eventType, event);
            if (eventType.equals(type)) return;
        }
    }

    private static void sample(String schema, String where, JsonNode instance) {
        samples.add(new Sample(schema, where, instance));
    }
}
