package dev.switchboard.emulator.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Json;

/** A batch's state; changed by its run, read by the routes (every access synchronized on the batch). */
final class Batch {
    final String id;
    final String endpoint;
    final String inputFileId;
    final String completionWindow;
    final long createdAt;
    final JsonNode metadata;
    String status = "validating";
    String model;
    String outputFileId;
    String errorFileId;
    ArrayNode errors;
    Long inProgressAt;
    Long finalizingAt;
    Long completedAt;
    Long failedAt;
    Long cancellingAt;
    Long cancelledAt;
    int total;
    int completed;
    int failed;
    long inputTokens;
    long cachedTokens;
    long outputTokens;
    long reasoningTokens;

    Batch(String id, String endpoint, String inputFileId, String completionWindow, long createdAt, JsonNode metadata) {
        this.id = id;
        this.endpoint = endpoint;
        this.inputFileId = inputFileId;
        this.completionWindow = completionWindow;
        this.createdAt = createdAt;
        this.metadata = metadata;
    }

    /** Adds a successful answer's usage: Chat Completions' prompt/completion tokens or the Responses API's input/output tokens. */
    synchronized void count(JsonNode usage) {
        inputTokens += usage.path("input_tokens").asLong(usage.path("prompt_tokens").asLong(0));
        outputTokens += usage.path("output_tokens").asLong(usage.path("completion_tokens").asLong(0));
        JsonNode inputDetails = usage.has("input_tokens_details") ? usage.get("input_tokens_details") : usage.path("prompt_tokens_details");
        JsonNode outputDetails = usage.has("output_tokens_details") ? usage.get("output_tokens_details") : usage.path("completion_tokens_details");
        cachedTokens += inputDetails.path("cached_tokens").asLong(0);
        reasoningTokens += outputDetails.path("reasoning_tokens").asLong(0);
    }

    synchronized boolean cancelRequested() {
        return cancellingAt != null;
    }

    synchronized ObjectNode toJson() {
        ObjectNode batch = Json.obj("id", id, "object", "batch", "endpoint", endpoint);
        if (model != null) batch.put("model", model);
        if (errors != null) batch.set("errors", Json.obj("object", "list", "data", errors));
        batch.put("input_file_id", inputFileId);
        batch.put("completion_window", completionWindow);
        batch.put("status", status);
        if (outputFileId != null) batch.put("output_file_id", outputFileId);
        if (errorFileId != null) batch.put("error_file_id", errorFileId);
        batch.put("created_at", createdAt);
        put(batch, "in_progress_at", inProgressAt);
        batch.put("expires_at", createdAt + 24 * 3600);
        put(batch, "finalizing_at", finalizingAt);
        put(batch, "completed_at", completedAt);
        put(batch, "failed_at", failedAt);
        put(batch, "cancelling_at", cancellingAt);
        put(batch, "cancelled_at", cancelledAt);
        batch.set("request_counts", Json.obj("total", total, "completed", completed, "failed", failed));
        batch.set("usage", Json.obj("input_tokens", inputTokens, "input_tokens_details", Json.obj("cached_tokens", cachedTokens),
                "output_tokens", outputTokens, "output_tokens_details", Json.obj("reasoning_tokens", reasoningTokens),
                "total_tokens", inputTokens + outputTokens));
        batch.set("metadata", metadata);
        return batch;
    }

    private static void put(ObjectNode node, String field, Long value) {
        if (value != null) node.put(field, value);
    }
}
