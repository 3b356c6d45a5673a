package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.BadRequestException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch's lines are requests the gateway never sees, so {@code POST /v1/batches} judges each as the request it will
 * become: its url against the key's endpoints and the paths the gateway refuses, its model against the key's models,
 * the objects it names against the ownership rules. The first refused line refuses the batch (400
 * {@code invalid_batch_line}, naming the line) before anything reaches OpenAI.
 */
class BatchLinesTest {
    /** Lines above this many bytes are refused: the largest request body this gateway takes. */
    static final int MAX_BODY = 64 * 1024;
    static TestGateway gw;
    static TestGateway.ClientKey limited;
    static TestGateway.ClientKey other;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start(Map.of("SWITCHBOARD_MAX_BODY_BYTES", String.valueOf(MAX_BODY)));
        limited = gw.newKey("{\"models\":[\"gpt-4o-mini\"],"
                + "\"endpoints\":[\"/v1/chat/completions\",\"/v1/files\",\"/v1/batches\",\"/v1/responses\"]}");
        other = gw.newKey("{}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aBatchWithinTheKeysLimitsRuns() {
        String input = upload(limited, chatLine("one", "gpt-4o-mini") + "\n\n" + chatLine("two", "gpt-4o-mini") + "\r\n");
        Batch batch = gw.sdk(limited.secret()).batches().create(create(input, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS));
        assertThat(batch.id()).startsWith("batch_");
    }

    @Test
    void aLineNamingAModelTheKeyMayNotUseRefusesTheBatch() {
        String input = upload(limited, chatLine("one", "gpt-4o-mini") + "\n" + chatLine("two", "gpt-4o") + "\n");
        JsonNode error = refused(limited, input, "/v1/chat/completions");
        assertThat(error.path("param").asText()).isEqualTo("body.model");
        assertThat(error.path("message").asText()).startsWith("Line 2 ").contains("gpt-4o").contains("gpt-4o-mini");

        // The SDK sees OpenAI's shape: a 400 with the gateway's code.
        assertThatThrownBy(() -> gw.sdk(limited.secret()).batches().create(create(input, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.code()).contains(BatchInput.INVALID_LINE));
    }

    @Test
    void aLineNamingAnotherOwnersObjectsRefusesTheBatch() throws Exception {
        HttpResponse<String> theirs = gw.send(UsageCountedOnceTest.withKey(gw.post("/v1/responses",
                "{\"model\":\"gpt-4o-mini\",\"input\":\"mine\"}"), other));
        String responseId = Json.MAPPER.readTree(theirs.body()).path("id").asText();
        String theirFile = upload(other, "private notes");

        String previous = upload(limited, responsesLine("r1", "{\"model\":\"gpt-4o-mini\",\"input\":\"go on\","
                + "\"previous_response_id\":\"" + responseId + "\"}"));
        JsonNode error = refused(limited, previous, "/v1/responses");
        assertThat(error.path("param").asText()).isEqualTo("body.previous_response_id");
        assertThat(error.path("message").asText()).startsWith("Line 1 ").contains(responseId);

        String file = upload(limited, chatLine("ok", "gpt-4o-mini") + "\n" + responsesLine("r2", "{\"model\":\"gpt-4o-mini\","
                + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"" + theirFile + "\"}]}]}"));
        assertThat(refused(limited, file, "/v1/responses").path("message").asText()).startsWith("Line 2 ").contains(theirFile);

        String store = Json.MAPPER.readTree(gw.send(UsageCountedOnceTest.withKey(gw.post("/v1/vector_stores",
                "{\"name\":\"theirs\"}"), other)).body()).path("id").asText();
        String search = upload(limited, responsesLine("r3", "{\"model\":\"gpt-4o-mini\",\"input\":\"find\","
                + "\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\"" + store + "\"]}]}"));
        assertThat(refused(limited, search, "/v1/responses").path("message").asText()).startsWith("Line 1 ").contains(store);
    }

    @Test
    void aLineWhoseUrlTheKeyMayNotUseOrTheGatewayRefusesRefusesTheBatch() {
        String embeddings = upload(limited, line("e", "/v1/embeddings", "{\"model\":\"gpt-4o-mini\",\"input\":\"x\"}"));
        JsonNode notAllowed = refused(limited, embeddings, "/v1/embeddings");
        assertThat(notAllowed.path("param").asText()).isEqualTo("url");
        assertThat(notAllowed.path("message").asText()).startsWith("Line 1 ").contains("may not use /v1/embeddings");

        String secrets = upload(other, line("s", "/v1/realtime/client_secrets", "{\"model\":\"gpt-realtime\"}"));
        assertThat(refused(other, secrets, "/v1/chat/completions").path("message").asText()).contains("ek_");
        String own = upload(other, line("a", "/v1/assistants", "{\"model\":\"gpt-4o-mini\"}"));
        assertThat(refused(other, own, "/v1/chat/completions").path("message").asText()).contains("/v1/assistants");
        String dots = upload(other, line("d", "/v1/files/../organization/admin_api_keys", "{}"));
        assertThat(refused(other, dots, "/v1/chat/completions").path("param").asText()).isEqualTo("url");
        String elsewhere = upload(other, line("x", "https://example.com/v1/chat/completions", "{}"));
        assertThat(refused(other, elsewhere, "/v1/chat/completions").path("param").asText()).isEqualTo("url");
    }

    @Test
    void hostileLinesRefuseTheBatchWithAClearError() {
        String huge = upload(other, chatLine("ok", "gpt-4o-mini") + "\n" + line("h", "/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(2 * MAX_BODY) + "\"}]}"));
        assertThat(refused(other, huge, "/v1/chat/completions").path("message").asText()).startsWith("Line 2 ")
                .contains(String.valueOf(MAX_BODY));

        // A NUL escaped in the model's name (an identifier), and one raw in the line's bytes.
        String escaped = upload(other, line("n", "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\\u0000\",\"messages\":[]}"));
        JsonNode nul = refused(other, escaped, "/v1/chat/completions");
        assertThat(nul.path("message").asText()).startsWith("Line 1 ");
        assertThat(nul.path("param").asText()).isEqualTo("body.model");
        String raw = upload(other, line("n", "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"x\":\"a\u0000b\"}"));
        assertThat(refused(other, raw, "/v1/chat/completions").path("message").asText()).startsWith("Line 1 ");

        String notJson = upload(other, chatLine("ok", "gpt-4o-mini") + "\n" + chatLine("ok2", "gpt-4o-mini") + "\n{not json");
        assertThat(refused(other, notJson, "/v1/chat/completions").path("message").asText()).startsWith("Line 3 ");

        String array = upload(other, "[1,2,3]");
        assertThat(refused(other, array, "/v1/chat/completions").path("message").asText()).startsWith("Line 1 ");

        String deep = upload(other, "{\"custom_id\":\"deep\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "[".repeat(5000) + "]".repeat(5000) + "}");
        assertThat(refused(other, deep, "/v1/chat/completions").path("message").asText()).startsWith("Line 1 ");
    }

    // --- helpers

    static String chatLine(String id, String model) {
        return line(id, "/v1/chat/completions", Json.write(Map.of("model", model,
                "messages", java.util.List.of(Map.of("role", "user", "content", "hi")))));
    }

    static String responsesLine(String id, String body) {
        return line(id, "/v1/responses", body);
    }

    static String line(String id, String url, String body) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + url + "\",\"body\":" + body + "}";
    }

    private String upload(TestGateway.ClientKey key, String content) {
        try {
            Path file = Files.createTempFile(dir, "input", ".jsonl");
            Files.write(file, content.getBytes(StandardCharsets.UTF_8));
            return gw.sdk(key.secret()).files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH)
                    .build()).id();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static BatchCreateParams create(String input, BatchCreateParams.Endpoint endpoint) {
        return BatchCreateParams.builder().inputFileId(input).endpoint(endpoint)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build();
    }

    /** The batch's refusal, checked to be a 400 invalid_batch_line that left upstream without a batch. */
    private static JsonNode refused(TestGateway.ClientKey key, String input, String endpoint) {
        long batchesBefore = batchesCreatedUpstream();
        HttpResponse<String> answer = gw.send(UsageCountedOnceTest.withKey(gw.post("/v1/batches", Json.write(Map.of(
                "input_file_id", input, "endpoint", endpoint, "completion_window", "24h"))), key));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        JsonNode error = UsageCountedOnceTest.json(answer.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo(BatchInput.INVALID_LINE);
        assertThat(answer.body()).doesNotContain(TestGateway.UPSTREAM_KEY).doesNotContain("\\u0000");
        assertThat(batchesCreatedUpstream()).isEqualTo(batchesBefore);
        return error;
    }

    private static long batchesCreatedUpstream() {
        return gw.emulator.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/batches")).count();
    }
}
