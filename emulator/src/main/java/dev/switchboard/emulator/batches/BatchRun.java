package dev.switchboard.emulator.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.files.FileStore;
import dev.switchboard.emulator.files.StoredFile;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * One batch's run: validating (every line parsed and checked, as OpenAI does before running any), in_progress
 * (each line sent in order to the emulator's own endpoint), finalizing (the output and error files stored) and
 * completed, or failed with the input's faults, or cancelled.
 */
final class BatchRun implements Runnable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int MAX_REPORTED_ERRORS = 100;
    /** OpenAI's limit of requests in one batch. */
    static final int MAX_REQUESTS = 50_000;

    private final Batch batch;
    private final StoredFile input;
    private final FileStore files;
    private final BatchTarget target;

    BatchRun(Batch batch, StoredFile input, FileStore files, BatchTarget target) {
        this.batch = batch;
        this.input = input;
        this.files = files;
        this.target = target;
    }

    @Override
    public void run() {
        Path output = null;
        Path errors = null;
        try {
            if (!validate()) return;
            output = files.scratch();
            errors = files.scratch();
            int succeeded = 0;
            int failed = 0;
            try (BufferedReader lines = Files.newBufferedReader(files.path(input), StandardCharsets.UTF_8);
                 BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8);
                 BufferedWriter err = Files.newBufferedWriter(errors, StandardCharsets.UTF_8)) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.isBlank()) continue;
                    if (batch.cancelRequested()) break;
                    ObjectNode result = execute(Json.parse(line));
                    boolean ok = result.path("response").path("status_code").asInt() / 100 == 2;
                    (ok ? out : err).write(Json.write(result) + "\n");
                    synchronized (batch) {
                        if (ok) {
                            batch.completed = ++succeeded;
                            batch.count(result.at("/response/body/usage"));
                        } else {
                            batch.failed = ++failed;
                        }
                    }
                }
            }
            synchronized (batch) {
                if (!batch.cancelRequested()) {
                    batch.status = "finalizing";
                    batch.finalizingAt = Ids.nowSeconds();
                }
            }
            String outputId = succeeded > 0 ? files.adopt(output, "batch_" + batch.id + "_output.jsonl", "batch_output", null).id() : null;
            if (succeeded > 0) output = null;
            String errorId = failed > 0 ? files.adopt(errors, "batch_" + batch.id + "_error.jsonl", "batch_output", null).id() : null;
            if (failed > 0) errors = null;
            synchronized (batch) {
                batch.outputFileId = outputId;
                batch.errorFileId = errorId;
                if (batch.cancelRequested()) {
                    batch.status = "cancelled";
                    batch.cancelledAt = Ids.nowSeconds();
                } else {
                    batch.status = "completed";
                    batch.completedAt = Ids.nowSeconds();
                }
            }
        } catch (Exception e) {
            fail(error("server_error", "The batch could not be run: " + e.getMessage(), null, null));
        } finally {
            deleteQuietly(output);
            deleteQuietly(errors);
        }
    }

    /** Checks every line as OpenAI does before running any; false after failing the batch with what is wrong. */
    private boolean validate() throws IOException {
        ArrayNode problems = Json.arr();
        Set<String> customIds = new HashSet<>();
        int count = 0;
        String model = null;
        try (BufferedReader lines = Files.newBufferedReader(files.path(input), StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                number++;
                if (line.isBlank()) continue;
                count++;
                JsonNode request;
                try {
                    request = Json.parse(line);
                } catch (IOException e) {
                    request = null;
                }
                ObjectNode problem = problem(request, number, customIds);
                if (problem != null) {
                    if (problems.size() < MAX_REPORTED_ERRORS) problems.add(problem);
                } else if (model == null && request.path("body").path("model").isTextual()) {
                    model = request.path("body").path("model").asText();
                }
            }
        }
        if (count == 0) problems.add(error("empty_file", "The batch input file is empty.", null, null));
        if (count > MAX_REQUESTS) {
            problems.add(error("too_many_tasks", "The batch input file holds " + count + " requests; a batch takes at most "
                    + MAX_REQUESTS + ".", null, null));
        }
        if (!problems.isEmpty()) {
            synchronized (batch) {
                batch.errors = problems;
                batch.status = "failed";
                batch.failedAt = Ids.nowSeconds();
            }
            return false;
        }
        synchronized (batch) {
            batch.model = model;
            batch.total = count;
            if (batch.cancelRequested()) {
                batch.status = "cancelled";
                batch.cancelledAt = Ids.nowSeconds();
                return false;
            }
            batch.status = "in_progress";
            batch.inProgressAt = Ids.nowSeconds();
        }
        return true;
    }

    /** What is wrong with one input line, in OpenAI's batch error shape, or null. */
    private ObjectNode problem(JsonNode request, int line, Set<String> customIds) {
        if (request == null || !request.isObject()) {
            return error("invalid_json_line", "This line is not parseable as valid JSON.", null, line);
        }
        if (!request.path("custom_id").isTextual()) {
            return error("missing_required_parameter", "Missing required parameter: 'custom_id'.", "custom_id", line);
        }
        if (!customIds.add(request.get("custom_id").asText())) {
            return error("duplicate_custom_id", "The custom_id for this request is a duplicate of another request. "
                    + "The custom_id parameter must be unique for each request in a batch.", "custom_id", line);
        }
        if (!"POST".equals(request.path("method").asText())) {
            return error("invalid_value", "Invalid value for 'method': expected 'POST'.", "method", line);
        }
        if (!batch.endpoint.equals(request.path("url").asText())) {
            return error("mismatched_url", "The provided URL for the request does not match the endpoint of the batch ("
                    + batch.endpoint + ").", "url", line);
        }
        if (!request.path("body").isObject()) {
            return error("missing_required_parameter", "Missing required parameter: 'body'.", "body", line);
        }
        return null;
    }

    /** Sends one line's request to the emulator and makes its output line. */
    private ObjectNode execute(JsonNode request) throws IOException, InterruptedException {
        var call = HttpRequest.newBuilder(URI.create(target.origin().get() + request.get("url").asText()))
                .header("Authorization", "Bearer " + target.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(request.get("body")))).build();
        HttpResponse<String> answer = HTTP.send(call, HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = Json.parse(answer.body());
        } catch (IOException e) {
            body = TextNode.valueOf(answer.body());
        }
        String requestId = answer.headers().firstValue("x-request-id").orElseGet(() -> Ids.next("req_"));
        return Json.obj("id", Ids.next("batch_req_"), "custom_id", request.get("custom_id").asText(),
                "response", Json.obj("status_code", answer.statusCode(), "request_id", requestId, "body", body),
                "error", null);
    }

    private void fail(ObjectNode error) {
        synchronized (batch) {
            batch.errors = Json.arr(error);
            batch.status = "failed";
            batch.failedAt = Ids.nowSeconds();
        }
    }

    private static ObjectNode error(String code, String message, String param, Integer line) {
        return Json.obj("code", code, "message", message, "param", param, "line", line);
    }

    private static void deleteQuietly(Path path) {
        if (path == null) return;
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A scratch file: removed with the store's directory at close.
        }
    }
}
