package dev.switchboard.emulator.vectorstores;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * {@code /v1/vector_stores}: stores, their files and file batches (indexed at once: every file completed), and
 * search over the files' text ({@link TextSearch}), filtered by file attributes ({@link AttributeFilter}).
 */
public final class VectorStoresApi {
    private static final int DEFAULT_CHUNK = 800;
    private static final int DEFAULT_OVERLAP = 400;
    /** The file content route returns at most this much text: a page, as OpenAI's does. */
    private static final int MAX_CONTENT_BYTES = 16 * 1024 * 1024;

    private final FileStore files;
    private final Map<String, VectorStore> stores = new LinkedHashMap<>();

    public VectorStoresApi(FileStore files) {
        this.files = files;
    }

    /** Registers the /v1/vector_stores routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/vector_stores", this::create);
        routes.get("/v1/vector_stores", this::list);
        routes.get("/v1/vector_stores/{id}", this::retrieve);
        routes.post("/v1/vector_stores/{id}", this::update);
        routes.delete("/v1/vector_stores/{id}", this::delete);
        routes.post("/v1/vector_stores/{id}/search", this::search);
        routes.post("/v1/vector_stores/{id}/files", this::addFile);
        routes.get("/v1/vector_stores/{id}/files", this::listFiles);
        routes.get("/v1/vector_stores/{id}/files/{file}", this::retrieveFile);
        routes.post("/v1/vector_stores/{id}/files/{file}", this::updateFile);
        routes.delete("/v1/vector_stores/{id}/files/{file}", this::deleteFile);
        routes.get("/v1/vector_stores/{id}/files/{file}/content", this::fileContent);
        routes.post("/v1/vector_stores/{id}/file_batches", this::createBatch);
        routes.get("/v1/vector_stores/{id}/file_batches/{batch}", this::retrieveBatch);
        routes.post("/v1/vector_stores/{id}/file_batches/{batch}/cancel", this::cancelBatch);
        routes.get("/v1/vector_stores/{id}/file_batches/{batch}/files", this::listBatchFiles);
    }

    void create(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null || !validStoreFields(ctx, body)) return;
        List<StoredFile> added = new ArrayList<>();
        if (body.has("file_ids")) {
            added = files(ctx, body.get("file_ids"), "file_ids");
            if (added == null) return;
        }
        int[] chunking = chunking(ctx, body.path("chunking_strategy"));
        if (chunking == null) return;
        var store = new VectorStore(Ids.next("vs_"), Ids.nowSeconds(), body.path("name").asText(""),
                body.path("metadata").isObject() ? body.get("metadata") : null,
                body.path("expires_after").isObject() ? body.get("expires_after") : null);
        synchronized (store) {
            for (StoredFile file : added) add(store, file, null, chunking);
        }
        synchronized (stores) {
            stores.put(store.id, store);
        }
        json(ctx, store.toJson());
    }

    void list(Context ctx) {
        List<ObjectNode> all = new ArrayList<>();
        synchronized (stores) {
            stores.values().forEach(store -> all.add(store.toJson()));
        }
        ObjectNode page = ListPage.of(ctx, all, 20, 100);
        if (page != null) json(ctx, page);
    }

    void retrieve(Context ctx) {
        VectorStore store = find(ctx);
        if (store != null) json(ctx, store.toJson());
    }

    void update(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null || !validStoreFields(ctx, body)) return;
        synchronized (store) {
            if (body.path("name").isTextual()) store.name = body.get("name").asText();
            if (body.has("metadata")) store.metadata = body.get("metadata").isObject() ? body.get("metadata") : null;
            if (body.has("expires_after")) store.expiresAfter = body.get("expires_after").isObject() ? body.get("expires_after") : null;
        }
        json(ctx, store.toJson());
    }

    void delete(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        synchronized (stores) {
            stores.remove(store.id);
        }
        json(ctx, Json.obj("id", store.id, "object", "vector_store.deleted", "deleted", true));
    }

    void search(Context ctx) throws IOException {
        VectorStore store = find(ctx);
        if (store == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        List<String> queries = new ArrayList<>();
        JsonNode query = body.path("query");
        if (query.isTextual()) queries.add(query.asText());
        if (query.isArray()) query.forEach(q -> queries.add(q.asText()));
        if (queries.isEmpty() || queries.stream().allMatch(String::isBlank)) {
            FilesApi.missing(ctx, "query");
            return;
        }
        JsonNode max = body.path("max_num_results");
        int limit = max.isMissingNode() ? 10 : max.canConvertToExactIntegral() ? max.asInt() : -1;
        if (limit < 1 || limit > 50) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "integer_out_of_range",
                    "Invalid 'max_num_results': expected an integer between 1 and 50.", "max_num_results");
            return;
        }
        JsonNode filter = body.path("filters");
        if (!filter.isMissingNode() && !filter.isNull()) {
            String problem = AttributeFilter.problem(filter);
            if (problem != null) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'filters': " + problem + ".", "filters");
                return;
            }
        } else {
            filter = null;
        }
        double threshold = body.path("ranking_options").path("score_threshold").asDouble(0);
        Set<String> terms = TextSearch.terms(queries);
        List<VectorStore.StoreFile> candidates;
        synchronized (store) {
            store.lastActiveAt = Ids.nowSeconds();
            candidates = List.copyOf(store.files.values());
        }
        PriorityQueue<TextSearch.Hit> best = new PriorityQueue<>(TextSearch.RANKING.reversed());
        for (int i = 0; i < candidates.size(); i++) {
            VectorStore.StoreFile file = candidates.get(i);
            if (filter != null && !AttributeFilter.matches(filter, file.attributes())) continue;
            StoredFile stored = files.find(file.fileId()).orElse(null);
            if (stored == null) continue; // the File was deleted: nothing left to search
            TextSearch.scan(files.path(stored), file, i, terms, threshold, best, limit);
        }
        List<TextSearch.Hit> ranked = new ArrayList<>(best);
        ranked.sort(TextSearch.RANKING);
        ArrayNode data = Json.arr();
        for (TextSearch.Hit hit : ranked) {
            data.add(Json.obj("file_id", hit.file().fileId(), "filename", hit.file().filename(), "score", hit.score(),
                    "attributes", hit.file().attributes(), "content", Json.arr(Json.obj("type", "text", "text", hit.text()))));
        }
        ArrayNode searchQuery = Json.arr();
        queries.forEach(searchQuery::add);
        json(ctx, Json.obj("object", "vector_store.search_results.page", "search_query", searchQuery, "data", data,
                "has_more", false, "next_page", null));
    }

    void addFile(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.path("file_id").isTextual()) {
            FilesApi.missing(ctx, "file_id");
            return;
        }
        List<StoredFile> file = files(ctx, Json.arr(body.get("file_id")), "file_id");
        if (file == null || !validAttributes(ctx, body.path("attributes"))) return;
        int[] chunking = chunking(ctx, body.path("chunking_strategy"));
        if (chunking == null) return;
        synchronized (store) {
            json(ctx, store.fileJson(add(store, file.get(0), attributes(body), chunking)));
        }
    }

    void listFiles(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        String status = ctx.queryParam("filter");
        List<ObjectNode> all = new ArrayList<>();
        synchronized (store) {
            if (status == null || status.equals("completed")) store.files.values().forEach(file -> all.add(store.fileJson(file)));
        }
        ObjectNode page = ListPage.of(ctx, all, 20, 100);
        if (page != null) json(ctx, page);
    }

    void retrieveFile(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        synchronized (store) {
            VectorStore.StoreFile file = findFile(ctx, store);
            if (file != null) json(ctx, store.fileJson(file));
        }
    }

    void updateFile(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.has("attributes")) {
            FilesApi.missing(ctx, "attributes");
            return;
        }
        if (!validAttributes(ctx, body.get("attributes"))) return;
        synchronized (store) {
            VectorStore.StoreFile file = findFile(ctx, store);
            if (file == null) return;
            var updated = new VectorStore.StoreFile(file.fileId(), file.filename(), file.createdAt(), file.usageBytes(),
                    attributes(body), file.chunkSize(), file.overlap());
            store.files.put(file.fileId(), updated);
            json(ctx, store.fileJson(updated));
        }
    }

    void deleteFile(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        synchronized (store) {
            VectorStore.StoreFile file = findFile(ctx, store);
            if (file == null) return;
            store.files.remove(file.fileId());
            json(ctx, Json.obj("id", file.fileId(), "object", "vector_store.file.deleted", "deleted", true));
        }
    }

    void fileContent(Context ctx) throws IOException {
        VectorStore store = find(ctx);
        if (store == null) return;
        VectorStore.StoreFile file;
        synchronized (store) {
            file = findFile(ctx, store);
        }
        if (file == null) return;
        StoredFile stored = files.find(file.fileId()).orElse(null);
        String text = "";
        if (stored != null) {
            try (InputStream in = Files.newInputStream(files.path(stored))) {
                text = new String(in.readNBytes(MAX_CONTENT_BYTES), StandardCharsets.UTF_8);
            }
        }
        json(ctx, Json.obj("object", "vector_store.file_content.page", "data", Json.arr(Json.obj("type", "text", "text", text)),
                "has_more", false, "next_page", null));
    }

    void createBatch(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        // Either file_ids (with shared attributes and chunking) or files, each with its own.
        List<JsonNode> entries = new ArrayList<>();
        if (body.path("file_ids").isArray() && !body.get("file_ids").isEmpty()) {
            for (JsonNode id : body.get("file_ids")) {
                entries.add(Json.obj("file_id", id, "attributes", body.get("attributes"), "chunking_strategy", body.get("chunking_strategy")));
            }
        } else if (body.path("files").isArray() && !body.get("files").isEmpty()) {
            body.get("files").forEach(entries::add);
        } else {
            FilesApi.missing(ctx, "file_ids");
            return;
        }
        if (entries.size() > 2000) {
            ApiErrors.badRequest(ctx, "Invalid 'file_ids': a batch holds at most 2000 files.");
            return;
        }
        ArrayNode ids = Json.arr();
        entries.forEach(entry -> ids.add(entry.path("file_id")));
        List<StoredFile> batchFiles = files(ctx, ids, "file_ids");
        if (batchFiles == null) return;
        List<int[]> chunkings = new ArrayList<>();
        for (JsonNode entry : entries) {
            if (!validAttributes(ctx, entry.path("attributes"))) return;
            int[] chunking = chunking(ctx, entry.path("chunking_strategy"));
            if (chunking == null) return;
            chunkings.add(chunking);
        }
        var batch = new VectorStore.FileBatch(Ids.next("vsfb_"), Ids.nowSeconds(),
                batchFiles.stream().map(StoredFile::id).toList(), "completed");
        synchronized (store) {
            for (int i = 0; i < batchFiles.size(); i++) add(store, batchFiles.get(i), attributes(entries.get(i)), chunkings.get(i));
            store.batches.put(batch.id(), batch);
        }
        json(ctx, store.batchJson(batch));
    }

    void retrieveBatch(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        VectorStore.FileBatch batch = findBatch(ctx, store);
        if (batch != null) json(ctx, store.batchJson(batch));
    }

    /** A batch is processed when created: there is nothing left to cancel, and it says so as OpenAI does. */
    void cancelBatch(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        VectorStore.FileBatch batch = findBatch(ctx, store);
        if (batch == null) return;
        ApiErrors.send(ctx, 400, "invalid_request_error", null,
                "Cannot cancel a vector store file batch with status '" + batch.status() + "'.");
    }

    void listBatchFiles(Context ctx) {
        VectorStore store = find(ctx);
        if (store == null) return;
        VectorStore.FileBatch batch = findBatch(ctx, store);
        if (batch == null) return;
        String status = ctx.queryParam("filter");
        List<ObjectNode> all = new ArrayList<>();
        synchronized (store) {
            for (String id : batch.fileIds()) {
                VectorStore.StoreFile file = store.files.get(id);
                if (file != null && (status == null || status.equals("completed"))) all.add(store.fileJson(file));
            }
        }
        ObjectNode page = ListPage.of(ctx, all, 20, 100);
        if (page != null) json(ctx, page);
    }

    private static VectorStore.StoreFile add(VectorStore store, StoredFile file, JsonNode attributes, int[] chunking) {
        var added = new VectorStore.StoreFile(file.id(), file.filename(), Ids.nowSeconds(), file.bytes(), attributes,
                chunking[0], chunking[1]);
        store.files.put(file.id(), added);
        store.lastActiveAt = Ids.nowSeconds();
        return added;
    }

    /** The Files named, or null after answering 404 for the first unknown one. */
    private List<StoredFile> files(Context ctx, JsonNode ids, String param) {
        if (!ids.isArray() || ids.size() > 2000) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid '" + param + "': expected an array of file ids.", param);
            return null;
        }
        List<StoredFile> found = new ArrayList<>();
        for (JsonNode id : ids) {
            StoredFile file = files.find(id.asText()).orElse(null);
            if (file == null) {
                ApiErrors.send(ctx, 404, "invalid_request_error", null, "No such File object: " + FilesApi.printable(id.asText()), param);
                return null;
            }
            found.add(file);
        }
        return found;
    }

    /** {@code [max_chunk_size_tokens, chunk_overlap_tokens]}, or null after answering 400. */
    private static int[] chunking(Context ctx, JsonNode strategy) {
        if (strategy.isMissingNode() || strategy.isNull() || strategy.path("type").asText().equals("auto")) {
            return new int[] {DEFAULT_CHUNK, DEFAULT_OVERLAP};
        }
        JsonNode fixed = strategy.path("static");
        int size = fixed.path("max_chunk_size_tokens").asInt(-1);
        int overlap = fixed.path("chunk_overlap_tokens").asInt(-1);
        if (!strategy.path("type").asText().equals("static") || size < 100 || size > 4096 || overlap < 0 || overlap > size / 2) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'chunking_strategy': expected {\"type\":\"auto\"} "
                    + "or a static strategy with max_chunk_size_tokens from 100 to 4096 and chunk_overlap_tokens at most half of it.",
                    "chunking_strategy");
            return null;
        }
        return new int[] {size, overlap};
    }

    private static boolean validStoreFields(Context ctx, JsonNode body) {
        JsonNode name = body.path("name");
        if (!name.isMissingNode() && !name.isNull() && (!name.isTextual() || name.asText().length() > 256)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'name': expected a string of at most 256 characters.", "name");
            return false;
        }
        JsonNode metadata = body.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isNull() && (!metadata.isObject() || metadata.size() > 16)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'metadata': expected an object of up to 16 pairs.", "metadata");
            return false;
        }
        JsonNode expires = body.path("expires_after");
        if (!expires.isMissingNode() && !expires.isNull() && (!"last_active_at".equals(expires.path("anchor").asText())
                || expires.path("days").asInt(0) < 1 || expires.path("days").asInt(0) > 365)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid 'expires_after': expected anchor 'last_active_at' and days from 1 to 365.", "expires_after");
            return false;
        }
        return true;
    }

    /** Up to 16 attributes, keys of at most 64 characters, values strings (at most 512), numbers or booleans. */
    private static boolean validAttributes(Context ctx, JsonNode attributes) {
        if (attributes.isMissingNode() || attributes.isNull()) return true;
        boolean valid = attributes.isObject() && attributes.size() <= 16;
        if (valid) {
            for (var field : attributes.properties()) {
                JsonNode value = field.getValue();
                valid &= field.getKey().length() <= 64
                        && (value.isNumber() || value.isBoolean() || value.isTextual() && value.asText().length() <= 512);
            }
        }
        if (!valid) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid 'attributes': expected up to 16 pairs, "
                    + "keys of at most 64 characters, values strings of at most 512 characters, numbers or booleans.", "attributes");
        }
        return valid;
    }

    private static JsonNode attributes(JsonNode body) {
        JsonNode attributes = body.path("attributes");
        return attributes.isObject() ? attributes : Json.obj();
    }

    private VectorStore find(Context ctx) {
        String id = ctx.pathParam("id");
        VectorStore store;
        synchronized (stores) {
            store = stores.get(id);
        }
        if (store == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", null, "No vector store found with id '" + FilesApi.printable(id) + "'.", "vector_store_id");
        }
        return store;
    }

    private static VectorStore.StoreFile findFile(Context ctx, VectorStore store) {
        String id = ctx.pathParam("file");
        VectorStore.StoreFile file = store.files.get(id);
        if (file == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", null, "No file found with id '" + FilesApi.printable(id)
                    + "' in vector store '" + store.id + "'.", "file_id");
        }
        return file;
    }

    private static VectorStore.FileBatch findBatch(Context ctx, VectorStore store) {
        String id = ctx.pathParam("batch");
        VectorStore.FileBatch batch;
        synchronized (store) {
            batch = store.batches.get(id);
        }
        if (batch == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", null, "No file batch found with id '" + FilesApi.printable(id)
                    + "' in vector store '" + store.id + "'.", "batch_id");
        }
        return batch;
    }

    private static void json(Context ctx, ObjectNode node) {
        ctx.contentType("application/json").result(Json.write(node));
    }
}
