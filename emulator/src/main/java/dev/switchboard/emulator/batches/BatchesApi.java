package dev.switchboard.emulator.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.ListPage;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.files.FileStore;
import dev.switchboard.emulator.files.FilesApi;
import dev.switchboard.emulator.files.StoredFile;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code /v1/batches}: a batch really runs. Each line of its input file is sent to this emulator's own endpoint
 * over HTTP ({@link BatchRun}), so whatever the emulator serves, a batch can use; the answers become the output
 * file (2xx) and the error file (others), in the input's order.
 */
public final class BatchesApi implements AutoCloseable {
    /** The endpoints OpenAI runs batches for. */
    public static final List<String> ENDPOINTS = List.of("/v1/responses", "/v1/chat/completions", "/v1/embeddings",
            "/v1/completions", "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos");
    /** OpenAI's limit for a batch's input file. */
    public static final long MAX_INPUT_BYTES = 200L * 1024 * 1024;

    private final FileStore files;
    private final BatchTarget target;
    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();

    /** Batches of {@code files}, run against the emulator {@code target} names (known once it listens). */
    public BatchesApi(FileStore files, BatchTarget target) {
        this.files = files;
        this.target = target;
    }

    /** Registers the /v1/batches routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/batches", this::create);
        routes.get("/v1/batches", this::list);
        routes.get("/v1/batches/{id}", this::retrieve);
        routes.post("/v1/batches/{id}/cancel", this::cancel);
    }

    void create(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        for (String field : List.of("input_file_id", "endpoint", "completion_window")) {
            if (!body.path(field).isTextual()) {
                FilesApi.missing(ctx, field);
                return;
            }
        }
        String endpoint = body.get("endpoint").asText();
        if (!ENDPOINTS.contains(endpoint)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value for 'endpoint': expected one of "
                    + String.join(", ", ENDPOINTS.stream().map(e -> "'" + e + "'").toList()) + ".", "endpoint");
            return;
        }
        if (!body.get("completion_window").asText().equals("24h")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid value for 'completion_window': expected '24h'.", "completion_window");
            return;
        }
        JsonNode metadata = body.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isNull() && (!metadata.isObject() || metadata.size() > 16)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid 'metadata': expected an object of up to 16 string values.", "metadata");
            return;
        }
        String inputFileId = body.get("input_file_id").asText();
        StoredFile input = files.find(inputFileId).orElse(null);
        if (input == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", null, "No such File object: " + FilesApi.printable(inputFileId), "input_file_id");
            return;
        }
        if (input.bytes() > MAX_INPUT_BYTES) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "The batch input file is larger than the 200 MB maximum for a batch.", "input_file_id");
            return;
        }
        if (!input.purpose().equals("batch")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "The input file must have been uploaded with purpose 'batch'.", "input_file_id");
            return;
        }
        var batch = new Batch(Ids.next("batch_"), endpoint, inputFileId, "24h", Ids.nowSeconds(),
                metadata.isMissingNode() ? null : metadata);
        synchronized (batches) {
            batches.put(batch.id, batch);
        }
        ObjectNode created = batch.toJson();
        runs.submit(new BatchRun(batch, input, files, target));
        json(ctx, created);
    }

    void list(Context ctx) {
        List<ObjectNode> all = new ArrayList<>();
        synchronized (batches) {
            batches.values().forEach(batch -> all.add(batch.toJson()));
        }
        ObjectNode page = ListPage.of(ctx, all, 20, 100);
        if (page != null) json(ctx, page);
    }

    void retrieve(Context ctx) {
        Batch batch = find(ctx);
        if (batch != null) json(ctx, batch.toJson());
    }

    void cancel(Context ctx) {
        Batch batch = find(ctx);
        if (batch == null) return;
        synchronized (batch) {
            if (!batch.status.equals("validating") && !batch.status.equals("in_progress")) {
                ApiErrors.send(ctx, 409, "invalid_request_error", null,
                        "Cannot cancel a batch with status '" + batch.status + "'.");
                return;
            }
            batch.status = "cancelling";
            batch.cancellingAt = Ids.nowSeconds();
        }
        json(ctx, batch.toJson());
    }

    private Batch find(Context ctx) {
        String id = ctx.pathParam("id");
        Batch batch;
        synchronized (batches) {
            batch = batches.get(id);
        }
        if (batch == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", null, "No batch found with id '" + FilesApi.printable(id) + "'.", "id");
        }
        return batch;
    }

    private static void json(Context ctx, ObjectNode node) {
        ctx.contentType("application/json").result(Json.write(node));
    }

    @Override
    public void close() {
        runs.shutdownNow();
    }
}
