package dev.switchboard.emulator.files;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.ListPage;
import dev.switchboard.emulator.MultipartStream;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code /v1/files}: upload (multipart {@code file}, {@code purpose}, optional {@code expires_after}), list, retrieve,
 * delete and download. Bytes stream to and from the {@link FileStore}'s disk, never through the heap.
 */
public final class FilesApi {
    /** The purposes OpenAI accepts for an uploaded file. */
    public static final List<String> PURPOSES = List.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");
    /** A text form field (purpose, expiry) is small; more is refused, not read. */
    public static final int MAX_FIELD_BYTES = 64 * 1024;
    private static final long BATCH_FILE_LIFETIME_SECONDS = 30L * 24 * 3600;

    private final FileStore store;

    public FilesApi(FileStore store) {
        this.store = store;
    }

    /** Registers the /v1/files routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/files", this::create);
        routes.get("/v1/files", this::list);
        routes.get("/v1/files/{id}", this::retrieve);
        routes.delete("/v1/files/{id}", this::delete);
        routes.get("/v1/files/{id}/content", this::content);
    }

    void create(Context ctx) throws IOException {
        InputStream body = ctx.req().getInputStream();
        MultipartStream form = MultipartStream.of(ctx.contentType(), body);
        if (form == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Invalid Content-Type header (" + printable(ctx.contentType())
                    + "), expected multipart/form-data.");
            return;
        }
        Path scratch = null;
        try {
            String filename = null;
            String purpose = null;
            String anchor = null;
            String seconds = null;
            for (MultipartStream.Part part; (part = form.next()) != null; ) {
                switch (part.name()) {
                    case "file" -> {
                        if (scratch != null) Files.deleteIfExists(scratch);
                        scratch = store.scratch();
                        filename = part.filename() == null ? "file" : part.filename();
                        FileStore.copy(part.content(), scratch, FileStore.MAX_FILE_BYTES);
                    }
                    case "purpose" -> purpose = part.text(MAX_FIELD_BYTES);
                    case "expires_after[anchor]" -> anchor = part.text(MAX_FIELD_BYTES);
                    case "expires_after[seconds]" -> seconds = part.text(MAX_FIELD_BYTES);
                    default -> part.content().transferTo(OutputStream.nullOutputStream());
                }
            }
            if (scratch == null) {
                missing(ctx, "file");
                return;
            }
            if (purpose == null) {
                missing(ctx, "purpose");
                return;
            }
            if (!validFilename(ctx, filename) || !validPurpose(ctx, purpose)) return;
            if (purpose.equals("batch") && !filename.endsWith(".jsonl")) {
                ApiErrors.send(ctx, 400, "invalid_request_error", null, "Invalid file format for Batch API. Must be .jsonl", "file");
                return;
            }
            Long expiresAt = expiresAt(ctx, anchor, seconds, purpose);
            if (REFUSED.equals(expiresAt)) return;
            StoredFile file = store.adopt(scratch, filename, purpose, expiresAt);
            scratch = null;
            json(ctx, file.toJson());
        } catch (FileStore.TooLargeException e) {
            // The client is still sending: read it to the end, so that it gets this answer rather than a reset.
            body.transferTo(OutputStream.nullOutputStream());
            ApiErrors.send(ctx, 400, "invalid_request_error", "file_too_large", "File is too large. The maximum size of a file is "
                    + FileStore.MAX_FILE_BYTES / (1024 * 1024) + " MB; use the Uploads API for larger files.", "file");
        } catch (MultipartStream.MalformedException e) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Could not parse multipart form: " + e.getMessage());
        } finally {
            if (scratch != null) Files.deleteIfExists(scratch);
        }
    }

    private static final Long REFUSED = -1L;

    /** The expiry asked for, the default for batch files, or null; answers 400 and returns {@link #REFUSED} when invalid. */
    private static Long expiresAt(Context ctx, String anchor, String seconds, String purpose) {
        long now = Ids.nowSeconds();
        if (anchor == null && seconds == null) return purpose.equals("batch") ? now + BATCH_FILE_LIFETIME_SECONDS : null;
        if (!"created_at".equals(anchor)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid value for 'expires_after.anchor': expected 'created_at'.", "expires_after.anchor");
            return REFUSED;
        }
        long value;
        try {
            value = Long.parseLong(seconds == null ? "" : seconds.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 3600 || value > 2_592_000) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "integer_out_of_range",
                    "Invalid 'expires_after.seconds': expected an integer between 3600 and 2592000.", "expires_after.seconds");
            return REFUSED;
        }
        return now + value;
    }

    void list(Context ctx) {
        String purpose = ctx.queryParam("purpose");
        List<ObjectNode> files = store.all().stream()
                .filter(file -> purpose == null || file.purpose().equals(purpose))
                .map(StoredFile::toJson).toList();
        ObjectNode page = ListPage.of(ctx, files, 10_000, 10_000);
        if (page != null) json(ctx, page);
    }

    void retrieve(Context ctx) {
        StoredFile file = find(ctx);
        if (file != null) json(ctx, file.toJson());
    }

    void delete(Context ctx) {
        StoredFile file = find(ctx);
        if (file == null) return;
        store.delete(file.id());
        json(ctx, Json.obj("id", file.id(), "object", "file", "deleted", true));
    }

    void content(Context ctx) throws IOException {
        StoredFile file = find(ctx);
        if (file == null) return;
        // Written straight to the response: a file of half a gigabyte is copied through a small buffer.
        ctx.status(200);
        ctx.res().setContentType("application/octet-stream");
        ctx.res().setContentLengthLong(file.bytes());
        try (InputStream in = Files.newInputStream(store.path(file)); OutputStream out = ctx.res().getOutputStream()) {
            in.transferTo(out);
        }
    }

    private StoredFile find(Context ctx) {
        String id = ctx.pathParam("id");
        StoredFile file = store.find(id).orElse(null);
        if (file == null) notFound(ctx, id);
        return file;
    }

    /** OpenAI's answer for a file id it does not know. */
    public static void notFound(Context ctx, String id) {
        ApiErrors.send(ctx, 404, "invalid_request_error", null, "No such File object: " + printable(id), "id");
    }

    public static void missing(Context ctx, String field) {
        ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: '" + field + "'.", field);
    }

    private static boolean validFilename(Context ctx, String filename) {
        if (filename.isEmpty() || filename.length() > 1024 || hasControl(filename)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid 'file': the file name must be 1 to 1024 characters without control characters.", "file");
            return false;
        }
        return true;
    }

    /** A purpose OpenAI accepts; otherwise answers 400 naming the choices (the value itself may be anything). */
    public static boolean validPurpose(Context ctx, String purpose) {
        if (PURPOSES.contains(purpose)) return true;
        ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value for 'purpose': expected one of "
                + String.join(", ", PURPOSES.stream().map(p -> "'" + p + "'").toList()) + ".", "purpose");
        return false;
    }

    public static boolean hasControl(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** A value fit to echo in a message: control characters shown as '?', and at most 100 characters. */
    public static String printable(String value) {
        if (value == null) return "none";
        String clean = value.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }

    private static void json(Context ctx, ObjectNode node) {
        ctx.contentType("application/json").result(Json.write(node));
    }
}
