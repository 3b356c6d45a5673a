package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FilePurpose;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batches through the official SDK: each input line really runs against the emulator's own endpoints. */
class BatchesTest {
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

    static String chatLine(String customId, String model, String text) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\""
                + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}}";
    }

    static Batch create(String jsonl, BatchCreateParams.Endpoint endpoint) {
        String input = client.upload("requests.jsonl", jsonl.getBytes(), FilePurpose.BATCH).id();
        return client.sdk.batches().create(BatchCreateParams.builder().inputFileId(input).endpoint(endpoint)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
    }

    static Batch awaitEnd(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Batch batch = client.sdk.batches().retrieve(id);
            Batch.Status status = batch.status();
            if (status.equals(Batch.Status.COMPLETED) || status.equals(Batch.Status.FAILED) || status.equals(Batch.Status.CANCELLED)) {
                return batch;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("batch still " + status);
            Thread.sleep(20);
        }
    }

    static List<JsonNode> lines(String fileId) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (var content = client.sdk.files().content(fileId)) {
            for (String line : new String(content.body().readAllBytes()).split("\n")) lines.add(Json.parse(line));
        }
        return lines;
    }

    @Test
    void aChatBatchRunsEveryLineAndWritesRealCompletionsInOrder() throws Exception {
        String jsonl = chatLine("first", "gpt-4o-mini", "hello there") + "\n" + chatLine("second", "gpt-4o-mini", "one two")
                + "\n" + chatLine("unknown-model", "no-such-model", "hi") + "\n" + chatLine("third", "gpt-4o-mini", "bye") + "\n";
        Batch created = create(jsonl, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS);
        assertThat(created.id()).startsWith("batch_");
        assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);

        Batch done = awaitEnd(created.id());
        assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
        assertThat(done.model()).contains("gpt-4o-mini");
        assertThat(done.inProgressAt()).isPresent();
        assertThat(done.finalizingAt()).isPresent();
        assertThat(done.completedAt()).isPresent();
        var counts = done.requestCounts().orElseThrow();
        assertThat(counts.total()).isEqualTo(4);
        assertThat(counts.completed()).isEqualTo(3);
        assertThat(counts.failed()).isEqualTo(1);

        List<JsonNode> output = lines(done.outputFileId().orElseThrow());
        assertThat(output).extracting(line -> line.get("custom_id").asText()).containsExactly("first", "second", "third");
        for (JsonNode line : output) {
            assertThat(line.get("id").asText()).startsWith("batch_req_");
            assertThat(line.get("error").isNull()).isTrue();
            JsonNode response = line.get("response");
            assertThat(response.get("status_code").asInt()).isEqualTo(200);
            assertThat(response.get("request_id").asText()).isNotEmpty();
            assertThat(response.get("body").get("object").asText()).isEqualTo("chat.completion");
            assertThat(response.get("body").get("choices").get(0).get("message").get("content").asText()).isNotEmpty();
        }
        long prompt = 0;
        long completion = 0;
        for (JsonNode line : output) {
            prompt += line.at("/response/body/usage/prompt_tokens").asLong();
            completion += line.at("/response/body/usage/completion_tokens").asLong();
        }
        var usage = done.usage().orElseThrow();
        assertThat(prompt).isPositive();
        assertThat(usage.inputTokens()).isEqualTo(prompt);
        assertThat(usage.outputTokens()).isEqualTo(completion);
        assertThat(usage.totalTokens()).isEqualTo(prompt + completion);
        List<JsonNode> errors = lines(done.errorFileId().orElseThrow());
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("custom_id").asText()).isEqualTo("unknown-model");
        assertThat(errors.get(0).get("response").get("status_code").asInt()).isEqualTo(404);
        assertThat(errors.get(0).get("response").get("body").get("error").get("code").asText()).isEqualTo("model_not_found");
        assertThat(client.sdk.files().retrieve(done.outputFileId().get()).purpose().asString()).isEqualTo("batch_output");

        // The same input gives the same answers: the emulator is deterministic.
        Batch again = awaitEnd(create(jsonl, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).id());
        List<JsonNode> repeated = lines(again.outputFileId().orElseThrow());
        for (int i = 0; i < output.size(); i++) {
            assertThat(repeated.get(i).at("/response/body/choices")).isEqualTo(output.get(i).at("/response/body/choices"));
        }
    }

    @Test
    void aResponsesBatchUsesTheResponsesEndpoint() throws Exception {
        String line = "{\"custom_id\":\"r1\",\"method\":\"POST\",\"url\":\"/v1/responses\",\"body\":{\"model\":\"gpt-4o-mini\",\"input\":\"hello\"}}";
        Batch done = awaitEnd(create(line + "\n", BatchCreateParams.Endpoint.V1_RESPONSES).id());
        assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
        JsonNode body = lines(done.outputFileId().orElseThrow()).get(0).at("/response/body");
        assertThat(body.get("object").asText()).isEqualTo("response");
        assertThat(body.get("status").asText()).isEqualTo("completed");
    }

    @Test
    void malformedInputFailsTheBatchWithEachLinesFault() throws Exception {
        String jsonl = chatLine("a", "gpt-4o-mini", "x") + "\nnot json\n" + chatLine("a", "gpt-4o-mini", "y") + "\n"
                + chatLine("b", "gpt-4o-mini", "z").replace("/v1/chat/completions", "/v1/embeddings") + "\n";
        Batch failed = awaitEnd(create(jsonl, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).id());
        assertThat(failed.status()).isEqualTo(Batch.Status.FAILED);
        assertThat(failed.failedAt()).isPresent();
        assertThat(failed.outputFileId()).isEmpty();
        var errors = failed.errors().orElseThrow().data().orElseThrow();
        assertThat(errors).extracting(e -> e.code().orElseThrow()).containsExactly("invalid_json_line", "duplicate_custom_id", "mismatched_url");
        assertThat(errors).extracting(e -> e.line().orElseThrow()).containsExactly(2L, 3L, 4L);

        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= 50_000; i++) many.append(chatLine("n" + i, "gpt-4o-mini", "x")).append('\n');
        Batch tooMany = awaitEnd(create(many.toString(), BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).id());
        assertThat(tooMany.status()).isEqualTo(Batch.Status.FAILED);
        assertThat(tooMany.errors().orElseThrow().data().orElseThrow()).extracting(e -> e.code().orElseThrow())
                .containsExactly("too_many_tasks");

        Batch empty = awaitEnd(create("\n", BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).id());
        assertThat(empty.errors().orElseThrow().data().orElseThrow()).extracting(e -> e.code().orElseThrow()).containsExactly("empty_file");
    }

    @Test
    void createRefusesUnknownFilesWrongPurposesAndBadFields() throws Exception {
        assertThatThrownBy(() -> client.sdk.batches().create(BatchCreateParams.builder().inputFileId("file-unknown")
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).completionWindow(BatchCreateParams.CompletionWindow._24H).build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("No such File object: file-unknown");
        String notBatch = client.upload("notes.txt", "x".getBytes(), FilePurpose.USER_DATA).id();
        assertThatThrownBy(() -> client.sdk.batches().create(BatchCreateParams.builder().inputFileId(notBatch)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).completionWindow(BatchCreateParams.CompletionWindow._24H).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("purpose 'batch'");
        DataApiClient.assertError(client.json("POST", "/batches", "{\"input_file_id\":\"" + notBatch + "\",\"endpoint\":\"/v1/chat/completions\","
                + "\"completion_window\":\"48h\"}"), 400, "completion_window", "'24h'");
        DataApiClient.assertError(client.json("POST", "/batches", "{\"input_file_id\":\"" + notBatch + "\",\"endpoint\":\"/v1/nothing\","
                + "\"completion_window\":\"24h\"}"), 400, "endpoint", "Invalid value for 'endpoint'");
        DataApiClient.assertError(client.json("POST", "/batches", "{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"),
                400, "input_file_id", "Missing required parameter: 'input_file_id'.");
        assertThatThrownBy(() -> client.sdk.batches().retrieve("batch_unknown")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.sdk.batches().cancel("batch_unknown")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void cancelStopsTheRunAfterTheLineInFlightAndKeepsWhatFinished() throws Exception {
        // The second line's answer stalls (a scripted stream) until released: the batch is caught mid-run.
        String stalled = chatLine("b", "gpt-4o-mini;stall_after=1", "two").replace("\"messages\"", "\"stream\":true,\"messages\"");
        String jsonl = chatLine("a", "gpt-4o-mini", "one") + "\n" + stalled + "\n" + chatLine("c", "gpt-4o-mini", "three") + "\n";
        String id = create(jsonl, BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).id();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.sdk.batches().retrieve(id).requestCounts().map(c -> c.completed()).orElse(0L) < 1) {
            if (System.nanoTime() > deadline) throw new AssertionError("the first line never finished");
            Thread.sleep(20);
        }
        Batch cancelling = client.sdk.batches().cancel(id);
        assertThat(cancelling.status()).isEqualTo(Batch.Status.CANCELLING);
        assertThat(cancelling.cancellingAt()).isPresent();
        // Released until the run ends: the stalled line may reach its stall only after a first release.
        Batch cancelled = client.sdk.batches().retrieve(id);
        while (cancelled.status().equals(Batch.Status.CANCELLING)) {
            if (System.nanoTime() > deadline) throw new AssertionError("the batch is still cancelling");
            emulator.releaseStalls();
            Thread.sleep(20);
            cancelled = client.sdk.batches().retrieve(id);
        }
        assertThat(cancelled.status()).isEqualTo(Batch.Status.CANCELLED);
        assertThat(cancelled.cancelledAt()).isPresent();
        assertThat(cancelled.completedAt()).isEmpty();
        assertThat(lines(cancelled.outputFileId().orElseThrow())).extracting(line -> line.get("custom_id").asText())
                .containsExactly("a", "b");
        assertThat(cancelled.requestCounts().orElseThrow().total()).isEqualTo(3);
        assertThat(emulator.requests().stream().filter(r -> r.body().contains("three"))).isEmpty();
    }

    @Test
    void listPagesAndCancelAfterTheEndIsRefused() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) ids.add(awaitEnd(create(chatLine("c" + i, "gpt-4o-mini", "x") + "\n",
                BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS).id()).id());
        JsonNode page = client.ok("GET", "/batches?limit=2", null);
        assertThat(page.get("object").asText()).isEqualTo("list");
        assertThat(page.get("data")).hasSize(2);
        assertThat(page.get("has_more").asBoolean()).isTrue();
        assertThat(page.get("first_id").asText()).isEqualTo(page.get("data").get(0).get("id").asText());
        assertThat(client.sdk.batches().list().autoPager().stream().map(Batch::id).toList()).containsAll(ids);
        DataApiClient.assertError(client.json("POST", "/batches/" + ids.get(0) + "/cancel", null), 409, null, "completed");
    }
}
