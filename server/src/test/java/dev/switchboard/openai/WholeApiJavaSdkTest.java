package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.audio.speech.SpeechCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.batches.Batch;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import com.openai.models.uploads.Upload;
import com.openai.models.uploads.UploadCompleteParams;
import com.openai.models.uploads.UploadCreateParams;
import com.openai.models.uploads.parts.PartCreateParams;
import com.openai.models.uploads.parts.UploadPart;
import com.openai.models.vectorstores.VectorStore;
import com.openai.models.vectorstores.VectorStoreCreateParams;
import com.openai.models.vectorstores.VectorStoreSearchParams;
import com.openai.models.vectorstores.VectorStoreSearchResponse;
import dev.switchboard.Await;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java SDK through the gateway, one test per endpoint family the gateway has no route of its own for:
 * each is forwarded with the server's key, its usage recorded where OpenAI reports it, and each object it creates is
 * its creator's owner's alone (a second owner's key gets OpenAI's answer for an unknown id, and lists without it).
 */
class WholeApiJavaSdkTest {
    static TestGateway gw;
    static Owner a;
    static Owner b;

    record Owner(String keyId, String key, OpenAIClient sdk) {}

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        a = owner("sdk-owner-a-" + suffix);
        b = owner("sdk-owner-b-" + suffix);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void embeddingsAreForwardedDeterministicAndTheirUsageIsRecorded() {
        EmbeddingCreateParams params = EmbeddingCreateParams.builder().model("text-embedding-3-small")
                .input("The gateway forwards every endpoint.").dimensions(256).build();
        CreateEmbeddingResponse first = a.sdk().embeddings().create(params);
        CreateEmbeddingResponse again = a.sdk().embeddings().create(params);

        assertThat(first.data()).hasSize(1);
        assertThat(first.data().getFirst().embedding()).hasSize(256);
        assertThat(again.data().getFirst().embedding()).isEqualTo(first.data().getFirst().embedding());
        assertThat(first.usage().promptTokens()).isPositive();
        JsonNode row = lastRow(a, "/v1/embeddings");
        assertThat(row.path("model").asText()).isEqualTo("text-embedding-3-small");
        assertThat(row.path("usage").path("input_tokens").asLong()).isEqualTo(first.usage().promptTokens());
    }

    @Test
    void moderationsAreForwarded() {
        ModerationCreateResponse moderation = a.sdk().moderations().create(ModerationCreateParams.builder()
                .model("omni-moderation-latest").input("A perfectly friendly sentence.").build());
        assertThat(moderation.results()).hasSize(1);
        assertThat(moderation.results().getFirst().flagged()).isFalse();
    }

    @Test
    void aFileIsUploadedListedDownloadedAndDeletedByItsOwnerOnly() {
        byte[] content = ("{\"prompt\":\"owned\"}\n" + "x".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
        FileObject file = a.sdk().files().create(FileCreateParams.builder()
                .file(fileAt("notes.jsonl", content)).purpose(FilePurpose.USER_DATA).build());

        assertThat(file.id()).startsWith("file-");
        assertThat(file.bytes()).isEqualTo(content.length);
        assertThat(a.sdk().files().list().data()).extracting(FileObject::id).contains(file.id());
        assertThat(download(a, file.id())).isEqualTo(content);

        // The second owner: the same answers as for an id nobody created, and a list without it.
        assertThatThrownBy(() -> b.sdk().files().retrieve(file.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> download(b, file.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.sdk().files().delete(file.id())).isInstanceOf(NotFoundException.class);
        assertThat(b.sdk().files().list().data()).extracting(FileObject::id).doesNotContain(file.id());

        assertThat(a.sdk().files().delete(file.id()).deleted()).isTrue();
    }

    @Test
    void anUploadInPartsBecomesTheOwnersFile() {
        byte[] first = "first part, ".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] second = "second part.".repeat(500).getBytes(StandardCharsets.UTF_8);
        Upload upload = a.sdk().uploads().create(UploadCreateParams.builder().filename("parts.txt")
                .purpose(FilePurpose.USER_DATA).mimeType("text/plain").bytes(first.length + second.length).build());
        UploadPart one = a.sdk().uploads().parts().create(PartCreateParams.builder().uploadId(upload.id()).data(first).build());
        // A part of another owner's upload is refused before it reaches OpenAI.
        assertThatThrownBy(() -> b.sdk().uploads().parts().create(PartCreateParams.builder().uploadId(upload.id())
                .data(second).build())).isInstanceOf(NotFoundException.class);
        UploadPart two = a.sdk().uploads().parts().create(PartCreateParams.builder().uploadId(upload.id()).data(second).build());
        Upload completed = a.sdk().uploads().complete(UploadCompleteParams.builder().uploadId(upload.id())
                .partIds(List.of(one.id(), two.id())).build());

        String fileId = completed.file().orElseThrow().id();
        byte[] whole = new byte[first.length + second.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        assertThat(download(a, fileId)).isEqualTo(whole);
        assertThatThrownBy(() -> b.sdk().files().retrieve(fileId)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void speechComesBackAsAudioThatTranscribesToItsText() throws Exception {
        String sentence = "Switchboard relays every kind of stream";
        byte[] audio;
        try (HttpResponse speech = a.sdk().audio().speech().create(SpeechCreateParams.builder().model("gpt-4o-mini-tts")
                .voice("alloy").input(sentence).responseFormat(SpeechCreateParams.ResponseFormat.MP3).build())) {
            audio = speech.body().readAllBytes();
        }
        assertThat(audio.length).isGreaterThan(100);

        String text = a.sdk().audio().transcriptions().create(TranscriptionCreateParams.builder()
                .model("gpt-4o-mini-transcribe").file(fileAt("speech.mp3", audio)).build()).asTranscription().text();

        assertThat(text.toLowerCase()).contains(sentence.toLowerCase());
        assertThat(lastRow(a, "/v1/audio/transcriptions").path("usage").path("total_tokens").asLong()).isPositive();
    }

    @Test
    void anImageIsARealPngOfTheSizeAskedForAndItsUsageIsRecorded() throws Exception {
        ImagesResponse images = a.sdk().images().generate(ImageGenerateParams.builder().model("gpt-image-1")
                .prompt("a switchboard operator at work").size(ImageGenerateParams.Size._1024X1024).build());

        byte[] png = Base64.getDecoder().decode(images.data().orElseThrow().getFirst().b64Json().orElseThrow());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(1024);
        assertThat(image.getHeight()).isEqualTo(1024);
        long outputTokens = images.usage().orElseThrow().outputTokens();
        assertThat(lastRow(a, "/v1/images/generations").path("usage").path("output_tokens").asLong()).isEqualTo(outputTokens);
    }

    @Test
    void aBatchRunsOnTheOwnersFileAndIsItsOwnersAlone() {
        String lines = """
                {"custom_id":"first","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"one"}]}}
                {"custom_id":"second","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"two"}]}}
                """;
        FileObject input = a.sdk().files().create(FileCreateParams.builder()
                .file(fileAt("batch.jsonl", lines.getBytes(StandardCharsets.UTF_8))).purpose(FilePurpose.BATCH).build());
        BatchCreateParams create = BatchCreateParams.builder().inputFileId(input.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build();

        // Another owner may not run a batch on it: its file is as unknown to them as one never uploaded.
        assertThatThrownBy(() -> b.sdk().batches().create(create)).isInstanceOf(NotFoundException.class);
        Batch batch = a.sdk().batches().create(create);
        Batch done = Await.result(Duration.ofSeconds(30), () -> a.sdk().batches().retrieve(batch.id()),
                current -> Batch.Status.COMPLETED.equals(current.status()));

        String output = new String(download(a, done.outputFileId().orElseThrow()), StandardCharsets.UTF_8);
        assertThat(output.lines()).hasSize(2);
        assertThat(output).contains("\"custom_id\":\"first\"", "\"custom_id\":\"second\"", "chat.completion");
        assertThatThrownBy(() -> b.sdk().batches().retrieve(batch.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> download(b, done.outputFileId().orElseThrow())).isInstanceOf(NotFoundException.class);
        assertThat(b.sdk().batches().list().data()).extracting(Batch::id).doesNotContain(batch.id());
        assertThat(a.sdk().batches().list().data()).extracting(Batch::id).contains(batch.id());
    }

    @Test
    void aVectorStoreIsSearchedByItsOwnerOnly() {
        FileObject about = a.sdk().files().create(FileCreateParams.builder().file(fileAt("about.txt",
                "Switchboard keeps the OpenAI key on the server and relays streams.".getBytes(StandardCharsets.UTF_8)))
                .purpose(FilePurpose.ASSISTANTS).build());
        FileObject other = a.sdk().files().create(FileCreateParams.builder().file(fileAt("recipe.txt",
                "Boil the pasta for nine minutes, then add salt.".getBytes(StandardCharsets.UTF_8)))
                .purpose(FilePurpose.ASSISTANTS).build());

        // Another owner cannot build a store from files that are not theirs.
        assertThatThrownBy(() -> b.sdk().vectorStores().create(VectorStoreCreateParams.builder().name("stolen")
                .fileIds(List.of(about.id())).build())).isInstanceOf(NotFoundException.class);
        VectorStore store = a.sdk().vectorStores().create(VectorStoreCreateParams.builder().name("docs")
                .fileIds(List.of(about.id(), other.id())).build());
        VectorStore ready = Await.result(Duration.ofSeconds(30), () -> a.sdk().vectorStores().retrieve(store.id()),
                current -> VectorStore.Status.COMPLETED.equals(current.status()));
        assertThat(ready.fileCounts().completed()).isEqualTo(2);

        VectorStoreSearchParams search = VectorStoreSearchParams.builder().vectorStoreId(store.id())
                .query("where is the OpenAI key kept").build();
        List<VectorStoreSearchResponse> results = a.sdk().vectorStores().search(search).data();
        assertThat(results).isNotEmpty();
        assertThat(results.getFirst().fileId()).isEqualTo(about.id());

        assertThatThrownBy(() -> b.sdk().vectorStores().search(search)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.sdk().vectorStores().retrieve(store.id())).isInstanceOf(NotFoundException.class);
        assertThat(b.sdk().vectorStores().list().data()).extracting(VectorStore::id).doesNotContain(store.id());
    }

    @Test
    void aStoredChatCompletionIsListedAndReadByItsOwnerOnly() {
        ChatCompletion stored = a.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini").addUserMessage("keep this one").store(true).build());
        assertThat(a.sdk().chat().completions().list().data()).extracting(ChatCompletion::id).contains(stored.id());
        assertThat(a.sdk().chat().completions().retrieve(stored.id()).id()).isEqualTo(stored.id());
        assertThat(a.sdk().chat().completions().messages().list(stored.id()).data())
                .extracting(message -> message.content().orElse(null)).containsExactly("keep this one");

        assertThat(b.sdk().chat().completions().list().data()).extracting(ChatCompletion::id).doesNotContain(stored.id());
        assertThatThrownBy(() -> b.sdk().chat().completions().retrieve(stored.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.sdk().chat().completions().messages().list(stored.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.sdk().chat().completions().delete(stored.id())).isInstanceOf(NotFoundException.class);

        assertThat(a.sdk().chat().completions().delete(stored.id()).deleted()).isTrue();
        assertThatThrownBy(() -> a.sdk().chat().completions().retrieve(stored.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void realtimeClientSecretsAreNeverMintedForAClient() {
        var request = HttpRequest.newBuilder(URI.create(gw.url("/v1/realtime/client_secrets")))
                .header("Authorization", "Bearer " + a.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\"}}"));
        var answer = gw.send(request);

        assertThat(answer.statusCode()).isBetween(400, 499);
        assertThat(answer.body()).doesNotContainPattern("ek_[A-Za-z0-9]{6,}");
        assertThat(json(answer.body()).path("error").path("message").asText()).contains("/api/realtime");
        assertThat(gw.emulator.requests()).noneMatch(r -> r.path().contains("client_secrets"));
    }

    @Test
    void anEndpointTheGatewayDoesNotKnowIsForwardedAsIs() {
        // No route of the gateway's: OpenAI's own answer comes back, so an endpoint works the day it ships.
        assertThatThrownBy(() -> a.sdk().containers().retrieve("cntr_doesnotexist"))
                .isInstanceOf(OpenAIServiceException.class)
                .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(404));
        assertThat(a.sdk().models().list().data()).isNotEmpty();
    }

    private Path fileAt(String name, byte[] content) {
        try {
            Path path = dir.resolve(name);
            Files.write(path, content);
            return path;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] download(Owner owner, String fileId) {
        try (HttpResponse content = owner.sdk().files().content(fileId); InputStream body = content.body()) {
            return body.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The newest request-log row of the owner's key on an endpoint, once the recorder has written it. */
    private static JsonNode lastRow(Owner owner, String endpoint) {
        return Await.result(Duration.ofSeconds(10), () -> {
            JsonNode page = json(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/requests?limit=50")))
                    .header("Authorization", "Bearer " + gw.adminKey)).body());
            for (JsonNode row : page.path("data")) {
                if (row.path("key_id").asText().equals(owner.keyId()) && row.path("endpoint").asText().equals(endpoint)) {
                    return row;
                }
            }
            return null;
        }, row -> row != null);
    }

    private static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Owner owner(String name) {
        JsonNode created = json(gw.send(HttpRequest.newBuilder(URI.create(gw.url("/api/admin/keys")))
                .header("Authorization", "Bearer " + gw.adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("name", name))))).body());
        String key = created.path("key").asText();
        return new Owner(created.path("id").asText(), key, gw.sdk(key));
    }
}
