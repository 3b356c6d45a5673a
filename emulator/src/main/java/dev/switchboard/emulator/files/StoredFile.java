package dev.switchboard.emulator.files;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Json;

/** A File's metadata; its bytes are on disk ({@link FileStore#path}). {@code expiresAt} is null for no expiry. */
public record StoredFile(String id, long bytes, long createdAt, String filename, String purpose, Long expiresAt) {

    /** The OpenAI {@code file} object. */
    public ObjectNode toJson() {
        ObjectNode file = Json.obj("id", id, "bytes", bytes, "created_at", createdAt, "filename", filename,
                "object", "file", "purpose", purpose, "status", "processed");
        if (expiresAt != null) file.put("expires_at", expiresAt);
        return file;
    }
}
