package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;

/** Threads and their messages: create (a thread with initial messages), retrieve, modify, delete, list. */
final class ThreadService {
    private final Documents threads;
    private final Documents messages;

    ThreadService(Documents threads, Documents messages) {
        this.threads = threads;
        this.messages = messages;
    }

    ObjectNode createThread(String owner, ObjectNode request) {
        JsonNode initial = request.get("messages");
        if (initial != null && !initial.isNull() && !initial.isArray()) {
            throw GatewayException.invalidParam("messages", "'messages' must be an array of messages.");
        }
        ObjectNode thread = Json.object().put("id", ObjectIds.next("thread_")).put("object", "thread")
                .put("created_at", ObjectIds.nowSeconds());
        thread.set("tool_resources", toolResources(request.get("tool_resources")));
        thread.set("metadata", Fields.metadata(request.get("metadata")));
        // Validate every initial message before storing anything, so a bad one leaves no half-made thread.
        var built = new java.util.ArrayList<ObjectNode>();
        if (initial != null && initial.isArray()) {
            for (int i = 0; i < initial.size(); i++) {
                built.add(message(thread.get("id").asText(), (ObjectNode) initial.get(i), "messages[" + i + "]."));
            }
        }
        threads.insert(owner, null, thread);
        built.forEach(m -> messages.insert(owner, thread.get("id").asText(), m));
        return thread;
    }

    ObjectNode retrieveThread(String owner, String id) {
        return threads.find(owner, id).orElseThrow(() -> GatewayException.notFound("thread", id));
    }

    ObjectNode modifyThread(String owner, String id, ObjectNode request) {
        ObjectNode thread = retrieveThread(owner, id);
        if (request.has("metadata")) thread.set("metadata", Fields.metadata(request.get("metadata")));
        if (request.has("tool_resources")) thread.set("tool_resources", toolResources(request.get("tool_resources")));
        threads.replace(owner, thread);
        return thread;
    }

    ObjectNode deleteThread(String owner, String id) {
        if (!threads.delete(owner, id)) throw GatewayException.notFound("thread", id);
        return Json.object().put("id", id).put("object", "thread.deleted").put("deleted", true);
    }

    ObjectNode createMessage(String owner, String threadId, ObjectNode request) {
        retrieveThread(owner, threadId);
        ObjectNode message = message(threadId, request, "");
        messages.insert(owner, threadId, message);
        return message;
    }

    ObjectNode retrieveMessage(String owner, String threadId, String id) {
        retrieveThread(owner, threadId);
        return messages.find(owner, threadId, id)
                .orElseThrow(() -> GatewayException.notFound("message", id));
    }

    ObjectNode modifyMessage(String owner, String threadId, String id, ObjectNode request) {
        ObjectNode message = retrieveMessage(owner, threadId, id);
        if (request.has("metadata")) message.set("metadata", Fields.metadata(request.get("metadata")));
        messages.replace(owner, message);
        return message;
    }

    ObjectNode deleteMessage(String owner, String threadId, String id) {
        retrieveMessage(owner, threadId, id);
        messages.delete(owner, id);
        return Json.object().put("id", id).put("object", "thread.message.deleted").put("deleted", true);
    }

    ObjectNode listMessages(String owner, String threadId, Page page) {
        retrieveThread(owner, threadId);
        return Documents.listBody(messages.list(owner, threadId, page), page);
    }

    /** A message object from a request; {@code prefix} names the request's fields in errors. */
    private static ObjectNode message(String threadId, ObjectNode request, String prefix) {
        String role = request.path("role").asText("");
        if (!role.equals("user") && !role.equals("assistant")) {
            throw GatewayException.invalidParam(prefix + "role", "'" + prefix + "role' must be 'user' or 'assistant'.");
        }
        JsonNode attachments = request.get("attachments");
        if (attachments != null && !attachments.isNull() && !(attachments.isArray() && attachments.isEmpty())) {
            throw GatewayException.invalidParam(prefix + "attachments",
                    "Attachments need file tools, which this gateway does not run; send content parts instead.");
        }
        long now = ObjectIds.nowSeconds();
        ObjectNode message = Json.object().put("id", ObjectIds.next("msg_")).put("object", "thread.message")
                .put("created_at", now).put("thread_id", threadId).put("status", "completed");
        message.putNull("incomplete_details").putNull("completed_at").putNull("incomplete_at").put("role", role);
        message.set("content", MessageContent.fromRequest(request.get("content"), prefix + "content"));
        message.putNull("assistant_id").putNull("run_id");
        message.putArray("attachments");
        message.set("metadata", Fields.metadata(request.get("metadata")));
        return message;
    }

    private static JsonNode toolResources(JsonNode value) {
        if (value == null || value.isNull()) return Json.MAPPER.nullNode();
        if (!value.isObject()) throw GatewayException.invalidParam("tool_resources", "'tool_resources' must be an object.");
        return value;
    }
}
