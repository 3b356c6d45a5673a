package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.files.FileListParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.uploads.Upload;
import com.openai.models.uploads.UploadCompleteParams;
import com.openai.models.uploads.UploadCreateParams;
import com.openai.models.uploads.parts.PartCreateParams;
import com.openai.models.uploads.parts.UploadPart;
import dev.switchboard.emulator.files.FileStore;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Files and Uploads through the official SDK and raw HTTP: bytes round-trip exactly, limits and bad input answer as OpenAI. */
class FilesTest {
    static Emulator emulator;
    static DataApiClient client;

    @BeforeAll
    static void start() {
        emulator = DataApiClient.start();
        client = new DataApiClient(emulator);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void fileRoundTripsThroughCreateListDownloadAndDelete() throws Exception {
        byte[] content = "first line\nsecond line\r\n--not a boundary\u0000end".getBytes(StandardCharsets.UTF_8);
        FileObject created = client.upload("notes.txt", content, FilePurpose.USER_DATA);
        assertThat(created.id()).startsWith("file-");
        assertThat(created.bytes()).isEqualTo(content.length);
        assertThat(created.filename()).isEqualTo("notes.txt");
        assertThat(created.purpose()).isEqualTo(FileObject.Purpose.USER_DATA);
        assertThat(created.status()).isEqualTo(FileObject.Status.PROCESSED);

        assertThat(client.sdk.files().retrieve(created.id()).bytes()).isEqualTo(content.length);
        try (var download = client.sdk.files().content(created.id())) {
            assertThat(download.body().readAllBytes()).isEqualTo(content);
        }
        assertThat(client.sdk.files().delete(created.id()).deleted()).isTrue();
        assertThatThrownBy(() -> client.sdk.files().retrieve(created.id())).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("No such File object: " + created.id());
        assertThatThrownBy(() -> client.sdk.files().content(created.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void listPagesNewestFirstAndFiltersByPurpose() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) ids.add(client.upload("page" + i + ".txt", ("page " + i).getBytes(), FilePurpose.ASSISTANTS).id());
        client.upload("other.txt", "other".getBytes(), FilePurpose.VISION);

        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            var params = FileListParams.builder().purpose("assistants").limit(2);
            if (after != null) params.after(after);
            JsonNode page = client.ok("GET", "/files?purpose=assistants&limit=2" + (after == null ? "" : "&after=" + after), null);
            var sdkPage = client.sdk.files().list(params.build());
            assertThat(sdkPage.data()).extracting(FileObject::id)
                    .containsExactlyElementsOf(page.get("data").findValuesAsText("id"));
            page.get("data").forEach(file -> seen.add(file.get("id").asText()));
            more = page.get("has_more").asBoolean();
            after = page.get("last_id").asText();
        }
        assertThat(seen).containsExactlyElementsOf(ids.reversed());
        JsonNode ascending = client.ok("GET", "/files?purpose=assistants&order=asc", null);
        assertThat(ascending.get("data").findValuesAsText("id")).containsExactlyElementsOf(ids);
        assertThat(client.json("GET", "/files?limit=0", null).statusCode()).isEqualTo(400);
        assertThat(client.json("GET", "/files?order=sideways", null).statusCode()).isEqualTo(400);
    }

    @Test
    void largeFileStreamsInAndOutByteExact() throws Exception {
        long size = 40L * 1024 * 1024 + 3; // across many buffers, full of CR LF and dashes
        HttpResponse<String> created = client.multipart("/files", new String[][] {{"purpose", "user_data"}}, "file", "big.bin",
                () -> DataApiClient.pattern(size));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode file = Json.parse(created.body());
        assertThat(file.get("bytes").asLong()).isEqualTo(size);
        try (var download = client.sdk.files().content(file.get("id").asText())) {
            assertThat(download.headers().values("Content-Length")).containsExactly(String.valueOf(size));
            assertThat(DataApiClient.matchesPattern(download.body())).isEqualTo(size);
        }
        // The request log keeps no upload body: half a gigabyte would not fit.
        assertThat(emulator.requests().getLast().body()).isEmpty();
    }

    @Test
    void aFileAbove512MbIsRefusedWith400AndNothingIsKept() throws Exception {
        int before = client.sdk.files().list().data().size();
        long size = 512L * 1024 * 1024 + 1;
        HttpResponse<String> refused = client.multipart("/files", new String[][] {{"purpose", "user_data"}}, "file", "huge.bin",
                () -> DataApiClient.pattern(size));
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = Json.parse(refused.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).isEqualTo("file");
        assertThat(error.get("message").asText()).contains("512 MB");
        assertThat(client.sdk.files().list().data()).hasSize(before);
    }

    @Test
    void missingAndHostileFieldsAreRefusedWithOpenAiErrors() throws Exception {
        byte[] one = "x".getBytes();
        DataApiClient.assertError(client.multipart("/files", new String[][] {}, "file", "a.txt", () -> new ByteArrayInputStream(one)),
                400, "purpose", "Missing required parameter: 'purpose'.");
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "user_data"}}, null, null, null),
                400, "file", "Missing required parameter: 'file'.");
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "user_data\r\nX-Injected: 1"}}, "file", "a.txt",
                () -> new ByteArrayInputStream(one)), 400, "purpose", "Invalid value for 'purpose'");
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "user\u0000data"}}, "file", "a.txt",
                () -> new ByteArrayInputStream(one)), 400, "purpose", "Invalid value for 'purpose'");
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "p".repeat(1_000_000)}}, "file", "a.txt",
                () -> new ByteArrayInputStream(one)), 400, null, "too long");
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "user_data"}}, "file", "a\u0000b.txt",
                () -> new ByteArrayInputStream(one)), 400, "file", "file name");
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "batch"}}, "file", "requests.txt",
                () -> new ByteArrayInputStream(one)), 400, "file", "Invalid file format for Batch API. Must be .jsonl");
        DataApiClient.assertError(client.json("POST", "/files", "{\"purpose\":\"user_data\"}"), 400, null, "multipart/form-data");
        // A body cut off inside its file part.
        DataApiClient.assertError(client.send("POST", "/files", "multipart/form-data; boundary=" + DataApiClient.BOUNDARY,
                HttpRequest.BodyPublishers.ofString("--" + DataApiClient.BOUNDARY + "\r\nContent-Disposition: form-data; "
                        + "name=\"file\"; filename=\"a.txt\"\r\n\r\nunfinished")), 400, null, "multipart");
        assertThatThrownBy(() -> client.sdk.files().retrieve("file-unknown")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("No such File object: file-unknown");
    }

    @Test
    void expiryIsKeptAndBatchFilesExpireAfterThirtyDays() throws Exception {
        HttpResponse<String> created = client.multipart("/files", new String[][] {{"purpose", "user_data"},
                {"expires_after[anchor]", "created_at"}, {"expires_after[seconds]", "7200"}}, "file", "a.txt",
                () -> new ByteArrayInputStream("x".getBytes()));
        JsonNode file = Json.parse(created.body());
        assertThat(file.get("expires_at").asLong()).isEqualTo(file.get("created_at").asLong() + 7200);
        FileObject batch = client.upload("in.jsonl", "{}\n".getBytes(), FilePurpose.BATCH);
        assertThat(batch.expiresAt()).contains(batch.createdAt() + 30L * 24 * 3600);
        DataApiClient.assertError(client.multipart("/files", new String[][] {{"purpose", "user_data"}, {"expires_after[anchor]", "created_at"},
                {"expires_after[seconds]", "60"}}, "file", "a.txt", () -> new ByteArrayInputStream("x".getBytes())),
                400, "expires_after.seconds", "between 3600 and 2592000");
    }

    @Test
    void theStoresDirectoryIsRemovedOnClose() throws Exception {
        var store = new FileStore();
        Path scratch = store.scratch();
        Files.writeString(scratch, "kept until close");
        var file = store.adopt(scratch, "a.txt", "user_data", null);
        Path directory = store.path(file).getParent();
        assertThat(Files.readString(store.path(file))).isEqualTo("kept until close");
        store.close();
        assertThat(directory).doesNotExist();
    }

    @Test
    void uploadAssemblesPartsInTheOrderGivenIntoAFile() throws Exception {
        byte[] first = "alpha-".getBytes();
        byte[] second = "beta-".getBytes();
        byte[] third = "gamma".getBytes();
        Upload upload = client.sdk.uploads().create(UploadCreateParams.builder().filename("parts.txt").mimeType("text/plain")
                .purpose(FilePurpose.USER_DATA).bytes(first.length + second.length + third.length).build());
        assertThat(upload.id()).startsWith("upload_");
        assertThat(upload.status()).isEqualTo(Upload.Status.PENDING);
        UploadPart a = client.sdk.uploads().parts().create(PartCreateParams.builder().uploadId(upload.id()).data(first).build());
        UploadPart c = client.sdk.uploads().parts().create(PartCreateParams.builder().uploadId(upload.id()).data(third).build());
        UploadPart b = client.sdk.uploads().parts().create(PartCreateParams.builder().uploadId(upload.id()).data(second).build());
        assertThat(a.id()).startsWith("part_");
        assertThat(a.uploadId()).isEqualTo(upload.id());

        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest("alpha-beta-gamma".getBytes()));
        assertThatThrownBy(() -> client.sdk.uploads().complete(UploadCompleteParams.builder().uploadId(upload.id())
                .partIds(List.of(a.id(), b.id())).build())).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> client.sdk.uploads().complete(UploadCompleteParams.builder().uploadId(upload.id())
                .partIds(List.of(a.id(), b.id(), c.id())).md5("0".repeat(32)).build())).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("md5");
        Upload done = client.sdk.uploads().complete(UploadCompleteParams.builder().uploadId(upload.id())
                .partIds(List.of(a.id(), b.id(), c.id())).md5(md5).build());
        assertThat(done.status()).isEqualTo(Upload.Status.COMPLETED);
        FileObject file = done.file().orElseThrow();
        assertThat(file.filename()).isEqualTo("parts.txt");
        assertThat(file.bytes()).isEqualTo(16);
        try (var download = client.sdk.files().content(file.id())) {
            assertThat(new String(download.body().readAllBytes())).isEqualTo("alpha-beta-gamma");
        }
        assertThatThrownBy(() -> client.sdk.uploads().parts().create(PartCreateParams.builder().uploadId(upload.id())
                .data(first).build())).isInstanceOf(BadRequestException.class).hasMessageContaining("completed");
    }

    @Test
    void largeUploadPartsStreamToDiskAndAPartAbove64MbIsRefused() throws Exception {
        long part = 64L * 1024 * 1024;
        JsonNode upload = client.ok("POST", "/uploads", "{\"filename\":\"big.bin\",\"purpose\":\"user_data\",\"bytes\":"
                + (part + 10) + ",\"mime_type\":\"application/octet-stream\"}");
        String id = upload.get("id").asText();
        HttpResponse<String> full = client.multipart("/uploads/" + id + "/parts", new String[][] {}, "data", "blob",
                () -> DataApiClient.pattern(part));
        assertThat(full.statusCode()).as(full.body()).isEqualTo(200);
        HttpResponse<String> tooBig = client.multipart("/uploads/" + id + "/parts", new String[][] {}, "data", "blob",
                () -> DataApiClient.pattern(part + 1));
        DataApiClient.assertError(tooBig, 400, "data", "64 MB");
        JsonNode cancelled = client.ok("POST", "/uploads/" + id + "/cancel", null);
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        DataApiClient.assertError(client.json("POST", "/uploads/" + id + "/complete", "{\"part_ids\":[]}"), 400, null, "cancelled");
    }

    @Test
    void uploadsRefuseBadDeclarationsAndUnknownIds() throws Exception {
        DataApiClient.assertError(client.json("POST", "/uploads", "{\"filename\":\"a\",\"purpose\":\"user_data\",\"mime_type\":\"text/plain\"}"),
                400, "bytes", "Missing required parameter: 'bytes'.");
        DataApiClient.assertError(client.json("POST", "/uploads", "{\"filename\":\"a\",\"purpose\":\"user_data\",\"mime_type\":\"text/plain\","
                + "\"bytes\":" + (8L * 1024 * 1024 * 1024 + 1) + "}"), 400, "bytes", "8 GB");
        DataApiClient.assertError(client.json("POST", "/uploads", "{\"filename\":\"a\\r\\nb\",\"purpose\":\"user_data\",\"mime_type\":\"text/plain\","
                + "\"bytes\":1}"), 400, "filename", "control characters");
        DataApiClient.assertError(client.json("POST", "/uploads", "{\"filename\":\"a\",\"purpose\":\"nonsense\",\"mime_type\":\"text/plain\","
                + "\"bytes\":1}"), 400, "purpose", "Invalid value for 'purpose'");
        DataApiClient.assertError(client.json("POST", "/uploads/upload_unknown/complete", "{\"part_ids\":[]}"), 404, "id",
                "No such Upload object: upload_unknown");
        DataApiClient.assertError(client.multipart("/uploads/upload_unknown/parts", new String[][] {}, "data", "blob",
                () -> DataApiClient.pattern(8L * 1024 * 1024)), 404, "id", "No such Upload object: upload_unknown");
    }

    @Test
    void unknownUrlsUnderV1AnswerOpenAisInvalidUrl() throws Exception {
        HttpResponse<String> response = client.json("GET", "/nothing/here", null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(Json.parse(response.body())).isEqualTo(Json.parse(
                "{\"error\":{\"message\":\"Invalid URL (GET /v1/nothing/here)\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"));
        assertThat(client.json("POST", "/files/file-x/whatever", "{}").body()).contains("Invalid URL (POST /v1/files/file-x/whatever)");
    }
}
