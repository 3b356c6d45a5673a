package dev.switchboard.emulator.vectorstores;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A vector store's state: its files (by File id, in the order added) and file batches. Synchronized on itself. */
final class VectorStore {
    /** A File in this store: indexed at once (status completed), chunked by words as by tokens. */
    record StoreFile(String fileId, String filename, long createdAt, long usageBytes, JsonNode attributes, int chunkSize, int overlap) {}

    /** A file batch: the File ids it added. */
    record FileBatch(String id, long createdAt, List<String> fileIds, String status) {}

    final String id;
    final long createdAt;
    String name;
    JsonNode metadata;
    JsonNode expiresAfter;
    long lastActiveAt;
    final Map<String, StoreFile> files = new LinkedHashMap<>();
    final Map<String, FileBatch> batches = new LinkedHashMap<>();

    VectorStore(String id, long createdAt, String name, JsonNode metadata, JsonNode expiresAfter) {
        this.id = id;
        this.createdAt = createdAt;
        this.name = name;
        this.metadata = metadata;
        this.expiresAfter = expiresAfter;
        this.lastActiveAt = createdAt;
    }

    synchronized ObjectNode toJson() {
        long bytes = files.values().stream().mapToLong(StoreFile::usageBytes).sum();
        ObjectNode store = Json.obj("id", id, "object", "vector_store", "created_at", createdAt, "name", name,
                "usage_bytes", bytes, "file_counts", counts(files.size()), "status", "completed");
        if (expiresAfter != null) {
            store.set("expires_after", expiresAfter);
            store.put("expires_at", lastActiveAt + expiresAfter.path("days").asLong() * 86_400);
        } else {
            store.putNull("expires_at");
        }
        store.put("last_active_at", lastActiveAt);
        store.set("metadata", metadata);
        return store;
    }

    ObjectNode fileJson(StoreFile file) {
        return Json.obj("id", file.fileId(), "object", "vector_store.file", "usage_bytes", file.usageBytes(),
                "created_at", file.createdAt(), "vector_store_id", id, "status", "completed", "last_error", null,
                "chunking_strategy", Json.obj("type", "static", "static",
                        Json.obj("max_chunk_size_tokens", file.chunkSize(), "chunk_overlap_tokens", file.overlap())),
                "attributes", file.attributes());
    }

    synchronized ObjectNode batchJson(FileBatch batch) {
        int present = (int) batch.fileIds().stream().filter(files::containsKey).count();
        return Json.obj("id", batch.id(), "object", "vector_store.files_batch", "created_at", batch.createdAt(),
                "vector_store_id", id, "status", batch.status(), "file_counts", counts(present));
    }

    /** Every file is processed when added: all completed. */
    static ObjectNode counts(int completed) {
        return Json.obj("in_progress", 0, "completed", completed, "failed", 0, "cancelled", 0, "total", completed);
    }
}
