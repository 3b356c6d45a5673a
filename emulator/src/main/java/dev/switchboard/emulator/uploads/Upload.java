package dev.switchboard.emulator.uploads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.files.StoredFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** An Upload in progress or done: its parts are files on disk until it completes (into a File) or is cancelled. */
final class Upload {
    record Part(String id, long createdAt, Path path, long bytes) {}

    final String id;
    final String filename;
    final String purpose;
    final long bytes;
    final String mimeType;
    final long createdAt;
    final long expiresAt;
    final Map<String, Part> parts = new LinkedHashMap<>();
    String status = "pending";
    StoredFile file;

    Upload(String id, String filename, String purpose, long bytes, String mimeType, long createdAt) {
        this.id = id;
        this.filename = filename;
        this.purpose = purpose;
        this.bytes = bytes;
        this.mimeType = mimeType;
        this.createdAt = createdAt;
        this.expiresAt = createdAt + 3600;
    }

    ObjectNode toJson() {
        return Json.obj("id", id, "object", "upload", "bytes", bytes, "created_at", createdAt, "filename", filename,
                "purpose", purpose, "status", status, "expires_at", expiresAt, "file", file == null ? null : file.toJson());
    }

    ObjectNode partJson(Part part) {
        return Json.obj("id", part.id(), "object", "upload.part", "created_at", part.createdAt(), "upload_id", id);
    }
}
