package dev.switchboard.emulator.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code /v1/conversations} and its items routes. */
public final class ConversationsApi {
    private final Conversations conversations;

    public ConversationsApi(Conversations conversations) {
        this.conversations = conversations;
    }

    /** Registers the /v1/conversations routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/conversations", this::create);
        routes.get("/v1/conversations/{id}", this::retrieve);
        routes.post("/v1/conversations/{id}", this::update);
        routes.delete("/v1/conversations/{id}", this::delete);
        routes.post("/v1/conversations/{id}/items", this::addItems);
        routes.get("/v1/conversations/{id}/items", this::listItems);
        routes.get("/v1/conversations/{id}/items/{item}", this::retrieveItem);
        routes.delete("/v1/conversations/{id}/items/{item}", this::deleteItem);
    }

    void create(Context ctx) {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        Conversations.Conversation conversation = conversations.create(body.get("metadata"));
        if (body.path("items").isArray()) conversations.addItems(conversation, body.get("items"));
        json(ctx, conversation.toJson());
    }

    void retrieve(Context ctx) {
        Conversations.Conversation conversation = find(ctx);
        if (conversation != null) json(ctx, conversation.toJson());
    }

    void update(Context ctx) {
        Conversations.Conversation conversation = find(ctx);
        if (conversation == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        conversation.metadata = body.get("metadata");
        json(ctx, conversation.toJson());
    }

    void delete(Context ctx) {
        Conversations.Conversation conversation = conversations.remove(ctx.pathParam("id"));
        if (conversation == null) {
            ApiErrors.notFound(ctx, "Conversation");
            return;
        }
        json(ctx, Json.obj("id", conversation.id, "object", "conversation.deleted", "deleted", true));
    }

    void addItems(Context ctx) {
        Conversations.Conversation conversation = find(ctx);
        if (conversation == null) return;
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.path("items").isArray()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "missing_required_parameter",
                    "Missing required parameter: 'items'.");
            return;
        }
        json(ctx, page(conversations.addItems(conversation, body.get("items")), false));
    }

    void listItems(Context ctx) {
        Conversations.Conversation conversation = find(ctx);
        if (conversation == null) return;
        json(ctx, listPage(ctx, conversations.items(conversation)));
    }

    /** A page of items in OpenAI's list shape, by the request's {@code order} (desc first), {@code after} and {@code limit}. */
    public static ObjectNode listPage(Context ctx, List<ObjectNode> all) {
        List<ObjectNode> items = new ArrayList<>(all);
        if (!"asc".equals(ctx.queryParam("order"))) Collections.reverse(items);
        String after = ctx.queryParam("after");
        if (after != null) {
            int at = indexOf(items, after);
            items = at < 0 ? List.of() : items.subList(at + 1, items.size());
        }
        int limit = Math.max(1, Math.min(100, Requests.intQuery(ctx, "limit", 20)));
        boolean hasMore = items.size() > limit;
        ArrayNode data = Json.arr();
        items.stream().limit(limit).forEach(data::add);
        return page(data, hasMore);
    }

    void retrieveItem(Context ctx) {
        Conversations.Conversation conversation = find(ctx);
        if (conversation == null) return;
        for (ObjectNode item : conversations.items(conversation)) {
            if (item.path("id").asText().equals(ctx.pathParam("item"))) {
                json(ctx, item);
                return;
            }
        }
        ApiErrors.notFound(ctx, "Item");
    }

    void deleteItem(Context ctx) {
        Conversations.Conversation conversation = find(ctx);
        if (conversation == null) return;
        boolean removed;
        synchronized (conversation.items) {
            removed = conversation.items.removeIf(item -> item.path("id").asText().equals(ctx.pathParam("item")));
        }
        if (!removed) ApiErrors.notFound(ctx, "Item");
        else json(ctx, conversation.toJson());
    }

    private Conversations.Conversation find(Context ctx) {
        Conversations.Conversation conversation = conversations.get(ctx.pathParam("id"));
        if (conversation == null) ApiErrors.notFound(ctx, "Conversation with id '" + ctx.pathParam("id") + "'");
        return conversation;
    }

    private static int indexOf(List<ObjectNode> items, String id) {
        for (int i = 0; i < items.size(); i++) if (items.get(i).path("id").asText().equals(id)) return i;
        return -1;
    }

    private static ObjectNode page(ArrayNode data, boolean hasMore) {
        return Json.obj("object", "list", "data", data,
                "first_id", data.isEmpty() ? null : data.get(0).get("id"),
                "last_id", data.isEmpty() ? null : data.get(data.size() - 1).get("id"), "has_more", hasMore);
    }

    private static void json(Context ctx, JsonNode node) {
        ctx.contentType("application/json").result(Json.write(node));
    }
}
