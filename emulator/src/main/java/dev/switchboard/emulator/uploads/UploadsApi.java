package dev.switchboard.emulator.uploads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.MultipartStream;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.files.FileStore;
import dev.switchboard.emulator.files.FilesApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /v1/uploads}: a large file sent in parts of up to 64 MB (up to 8 GB in all), assembled on disk into a File
 * when completed with the parts' order.
 */
public final class UploadsApi {
    /** OpenAI's limit for one part. */
    public static final long MAX_PART_BYTES = 64L * 1024 * 1024;
    /** OpenAI's limit for a whole upload. */
    public static final long MAX_UPLOAD_BYTES = 8L * 1024 * 1024 * 1024;

    private final FileStore store;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

    public UploadsApi(FileStore store) {
        this.store = store;
    }

    /** Registers the /v1/uploads routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/uploads", this::create);
        routes.post("/v1/uploads/{id}/parts", this::addPart);
        routes.post("/v1/uploads/{id}/complete", this::complete);
        routes.post("/v1/uploads/{id}/cancel", this::cancel);
    }

    void create(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        for (String field : List.of("bytes", "filename", "mime_type", "purpose")) {
            if (body.path(field).isMissingNode() || body.path(field).isNull()) {
                FilesApi.missing(ctx, field);
                return;
            }
        }
        JsonNode bytes = body.get("bytes");
        if (!bytes.canConvertToExactIntegral() || bytes.asLong() < 1 || bytes.asLong() > MAX_UPLOAD_BYTES) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "integer_out_of_range",
                    "Invalid 'bytes': expected an integer between 1 and " + MAX_UPLOAD_BYTES + " (8 GB).", "bytes");
            return;
        }
        String filename = body.get("filename").asText();
        if (!body.get("filename").isTextual() || filename.isEmpty() || filename.length() > 1024 || FilesApi.hasControl(filename)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid 'filename': expected 1 to 1024 characters without control characters.", "filename");
            return;
        }
        if (!body.get("mime_type").isTextual() || FilesApi.hasControl(body.get("mime_type").asText())) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'mime_type': expected a MIME type.", "mime_type");
            return;
        }
        String purpose = body.get("purpose").asText();
        if (!FilesApi.validPurpose(ctx, purpose)) return;
        var upload = new Upload(Ids.next("upload_"), filename, purpose, bytes.asLong(), body.get("mime_type").asText(), Ids.nowSeconds());
        uploads.put(upload.id, upload);
        json(ctx, upload.toJson());
    }

    void addPart(Context ctx) throws IOException {
        InputStream body = ctx.req().getInputStream();
        Upload upload = find(ctx);
        if (upload == null) {
            // Read the part to its end, so that the client gets the 404 rather than a reset mid-upload.
            body.transferTo(OutputStream.nullOutputStream());
            return;
        }
        MultipartStream form = MultipartStream.of(ctx.contentType(), body);
        if (form == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Expected a multipart/form-data body with the part's 'data'.");
            return;
        }
        Path scratch = null;
        try {
            for (MultipartStream.Part part; (part = form.next()) != null; ) {
                if (part.name().equals("data") && scratch == null) {
                    scratch = store.scratch();
                    FileStore.copy(part.content(), scratch, MAX_PART_BYTES);
                } else {
                    part.content().transferTo(OutputStream.nullOutputStream());
                }
            }
            if (scratch == null) {
                FilesApi.missing(ctx, "data");
                return;
            }
            synchronized (upload) {
                if (!upload.status.equals("pending")) {
                    notPending(ctx, upload);
                    return;
                }
                var added = new Upload.Part(Ids.next("part_"), Ids.nowSeconds(), scratch, Files.size(scratch));
                upload.parts.put(added.id(), added);
                scratch = null;
                json(ctx, upload.partJson(added));
            }
        } catch (FileStore.TooLargeException e) {
            body.transferTo(OutputStream.nullOutputStream());
            ApiErrors.send(ctx, 400, "invalid_request_error", "file_too_large",
                    "Part is too large. The maximum size of a part is 64 MB.", "data");
        } catch (MultipartStream.MalformedException e) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Could not parse multipart form: " + e.getMessage());
        } finally {
            if (scratch != null) Files.deleteIfExists(scratch);
        }
    }

    void complete(Context ctx) throws IOException {
        Upload upload = find(ctx);
        if (upload == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.path("part_ids").isArray()) {
            FilesApi.missing(ctx, "part_ids");
            return;
        }
        synchronized (upload) {
            if (!upload.status.equals("pending")) {
                notPending(ctx, upload);
                return;
            }
            List<Upload.Part> parts = new ArrayList<>();
            long total = 0;
            for (JsonNode partId : body.get("part_ids")) {
                Upload.Part part = upload.parts.get(partId.asText());
                if (part == null || parts.contains(part)) {
                    ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'part_ids': "
                            + FilesApi.printable(partId.asText()) + " is not a part of this upload, or is named twice.", "part_ids");
                    return;
                }
                parts.add(part);
                total += part.bytes();
            }
            if (total != upload.bytes) {
                ApiErrors.send(ctx, 400, "invalid_request_error", null, "The number of bytes uploaded (" + total
                        + ") does not match the number of bytes specified for the upload (" + upload.bytes + ").", "part_ids");
                return;
            }
            Path assembled = store.scratch();
            String md5 = assemble(parts, assembled);
            String expected = body.path("md5").asText("");
            if (!expected.isEmpty() && !expected.equalsIgnoreCase(md5)) {
                Files.deleteIfExists(assembled);
                ApiErrors.send(ctx, 400, "invalid_request_error", null,
                        "The md5 checksum of the uploaded bytes does not match the one given.", "md5");
                return;
            }
            upload.file = store.adopt(assembled, upload.filename, upload.purpose, null);
            upload.status = "completed";
            dropParts(upload);
            json(ctx, upload.toJson());
        }
    }

    void cancel(Context ctx) throws IOException {
        Upload upload = find(ctx);
        if (upload == null) return;
        synchronized (upload) {
            if (!upload.status.equals("pending")) {
                notPending(ctx, upload);
                return;
            }
            upload.status = "cancelled";
            dropParts(upload);
            json(ctx, upload.toJson());
        }
    }

    /** Concatenates the parts in order, returning the MD5 of the whole. */
    private static String assemble(List<Upload.Part> parts, Path target) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (OutputStream out = Files.newOutputStream(target)) {
            for (Upload.Part part : parts) {
                try (InputStream in = new DigestInputStream(Files.newInputStream(part.path()), md5)) {
                    in.transferTo(out);
                }
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static void dropParts(Upload upload) throws IOException {
        for (Upload.Part part : upload.parts.values()) Files.deleteIfExists(part.path());
    }

    private static void notPending(Context ctx, Upload upload) {
        ApiErrors.send(ctx, 400, "invalid_request_error", null,
                "Upload " + upload.id + " is " + upload.status + "; only a pending upload can take parts, complete or be cancelled.");
    }

    private Upload find(Context ctx) {
        String id = ctx.pathParam("id");
        Upload upload = uploads.get(id);
        if (upload == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", null, "No such Upload object: " + FilesApi.printable(id), "id");
        }
        return upload;
    }

    private static void json(Context ctx, ObjectNode node) {
        ctx.contentType("application/json").result(Json.write(node));
    }
}
