package dev.switchboard.emulator.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The conversations the emulator holds, each an ordered list of items. */
public final class Conversations {
    public static final class Conversation {
        final String id = Ids.next("conv_");
        final long createdAt = Ids.nowSeconds();
        final List<ObjectNode> items = new ArrayList<>();
        volatile JsonNode metadata;

        ObjectNode toJson() {
            return Json.obj("id", id, "object", "conversation", "created_at", createdAt,
                    "metadata", metadata == null ? Json.obj() : metadata);
        }
    }

    private final Map<String, Conversation> byId = new ConcurrentHashMap<>();

    Conversation create(JsonNode metadata) {
        Conversation conversation = new Conversation();
        conversation.metadata = metadata;
        byId.put(conversation.id, conversation);
        return conversation;
    }

    public Conversation get(String id) {
        return id == null ? null : byId.get(id);
    }

    Conversation remove(String id) {
        return byId.remove(id);
    }

    /** Adds items, giving each an id and status as the API does; returns the stored items. */
    public ArrayNode addItems(Conversation conversation, JsonNode items) {
        ArrayNode added = Json.arr();
        synchronized (conversation.items) {
            for (JsonNode item : items) {
                ObjectNode stored = normalise(item);
                conversation.items.add(stored);
                added.add(stored);
            }
        }
        return added;
    }

    public List<ObjectNode> items(Conversation conversation) {
        synchronized (conversation.items) {
            return List.copyOf(conversation.items);
        }
    }

    /** An input item as the API stores it: with a type, an id, a status, and content parts in their full shape. */
    public static ObjectNode normalise(JsonNode item) {
        ObjectNode stored = item.isObject() ? ((ObjectNode) item).deepCopy() : Json.obj("content", item);
        if (!stored.has("type")) stored.put("type", "message");
        if (!stored.has("id")) stored.put("id", Ids.next(stored.get("type").asText().equals("message") ? "msg_" : "item_"));
        if (stored.get("type").asText().equals("message")) {
            JsonNode content = stored.path("content");
            if (content.isTextual()) {
                String partType = "assistant".equals(stored.path("role").asText()) ? "output_text" : "input_text";
                stored.set("content", Json.arr(Json.obj("type", partType, "text", content.asText())));
            }
            if (!stored.has("status")) stored.put("status", "completed");
            for (JsonNode part : stored.path("content")) {
                // OpenAI's stored output_text always carries its annotations (and logprobs), empty when there are none.
                if (part instanceof ObjectNode text && text.path("type").asText().equals("output_text")) {
                    if (!text.has("annotations")) text.set("annotations", Json.arr());
                    if (!text.has("logprobs")) text.set("logprobs", Json.arr());
                }
            }
        }
        return stored;
    }
}
