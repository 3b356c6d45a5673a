package dev.switchboard.emulator.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.ListPage;
import dev.switchboard.emulator.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chat completions created with {@code "store": true}, as OpenAI keeps them: listed ({@code GET /v1/chat/completions},
 * oldest first unless {@code order=desc}, filtered by {@code model} and {@code metadata[key]=value}), retrieved,
 * their metadata updated, deleted, and their input messages listed ({@code GET …/{id}/messages}).
 */
final class StoredCompletions {
    private static final int MAX_LIMIT = 100;

    /** A stored completion and the messages it was asked with. */
    private record Stored(ObjectNode completion, List<ObjectNode> messages) {}

    private final Map<String, Stored> byId = new LinkedHashMap<>();

    void register(RoutesConfig routes) {
        routes.get("/v1/chat/completions", this::list);
        routes.get("/v1/chat/completions/{id}", ctx -> found(ctx).ifPresent(s -> ctx.json(s.completion())));
        routes.post("/v1/chat/completions/{id}", this::update);
        routes.delete("/v1/chat/completions/{id}", this::delete);
        routes.get("/v1/chat/completions/{id}/messages", this::messages);
    }

    /** Keeps a completion made with {@code "store": true}, with the request's metadata and messages. */
    synchronized void store(ObjectNode completion, JsonNode request) {
        ObjectNode kept = completion.deepCopy();
        kept.set("metadata", request.path("metadata").isObject() ? request.get("metadata").deepCopy() : Json.obj());
        List<ObjectNode> messages = new ArrayList<>();
        String id = kept.path("id").asText();
        for (JsonNode message : request.path("messages")) {
            messages.add(Json.obj("id", id + "-" + messages.size(), "role", message.path("role").asText(),
                    "content", ChatCompletionsApi.contentText(message.path("content")), "name",
                    message.path("name").asText(null), "content_parts", null));
        }
        byId.put(id, new Stored(kept, messages));
    }

    private void list(Context ctx) {
        String model = ctx.queryParam("model");
        Map<String, String> metadata = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> {
            if (name.startsWith("metadata[") && name.endsWith("]") && !values.isEmpty()) {
                metadata.put(name.substring("metadata[".length(), name.length() - 1), values.getFirst());
            }
        });
        List<ObjectNode> matching = new ArrayList<>();
        synchronized (this) {
            for (Stored stored : byId.values()) {
                ObjectNode completion = stored.completion();
                if (model != null && !model.equals(completion.path("model").asText())) continue;
                boolean all = metadata.entrySet().stream().allMatch(wanted ->
                        wanted.getValue().equals(completion.path("metadata").path(wanted.getKey()).asText(null)));
                if (all) matching.add(completion);
            }
        }
        ObjectNode page = ListPage.of(ctx, matching, 20, MAX_LIMIT, ListPage.Order.ASC);
        if (page != null) ctx.json(page);
    }

    private void update(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.path("metadata").isObject()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'metadata'.", "metadata");
            return;
        }
        found(ctx).ifPresent(stored -> {
            synchronized (this) {
                stored.completion().set("metadata", body.get("metadata").deepCopy());
            }
            ctx.json(stored.completion());
        });
    }

    private void delete(Context ctx) {
        found(ctx).ifPresent(stored -> {
            synchronized (this) {
                byId.remove(stored.completion().path("id").asText());
            }
            ctx.json(Json.obj("object", "chat.completion.deleted", "id", stored.completion().path("id").asText(),
                    "deleted", true));
        });
    }

    private void messages(Context ctx) {
        found(ctx).ifPresent(stored -> {
            ObjectNode page = ListPage.of(ctx, stored.messages(), 20, MAX_LIMIT, ListPage.Order.ASC);
            if (page != null) ctx.json(page);
        });
    }

    private synchronized java.util.Optional<Stored> found(Context ctx) {
        String id = ctx.pathParam("id");
        Stored stored = byId.get(id);
        if (stored == null) {
            ApiErrors.send(ctx, 404, "invalid_request_error", "not_found",
                    "Chat completion with id '" + id + "' not found.", "completion_id");
        }
        return java.util.Optional.ofNullable(stored);
    }
}
