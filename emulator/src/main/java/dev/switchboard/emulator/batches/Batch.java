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

    Batch(String id, String endpoint, String inputFileId, String completionWindow, long createdAt, JsonNode metadata) {
        this.id = id;
        this.endpoint = endpoint;
        this.inputFileId = inputFileId;
        this.completionWindow = completionWindow;
        this.createdAt = createdAt;
        this.metadata = metadata;
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
        batch.set("metadata", metadata);
        return batch;
    }

    private static void put(ObjectNode node, String field, Long value) {
        if (value != null) node.put(field, value);
    }
}
