package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;

/** Assistants: create, retrieve, modify, delete, list, with the API's object shape and limits. */
final class AssistantService {
    private final Documents assistants;

    AssistantService(Documents assistants) {
        this.assistants = assistants;
    }

    ObjectNode create(String owner, ObjectNode request) {
        if (!request.path("model").isTextual() || request.get("model").asText().isBlank()) {
            throw GatewayException.missingParam("model");
        }
        ObjectNode assistant = Json.object().put("id", ObjectIds.next("asst_")).put("object", "assistant")
                .put("created_at", ObjectIds.nowSeconds());
        assistant.putNull("name").putNull("description").put("model", request.get("model").asText()).putNull("instructions");
        assistant.set("tools", Json.MAPPER.createArrayNode());
        assistant.set("tool_resources", Json.object());
        assistant.set("metadata", Json.object());
        assistant.put("temperature", 1.0).put("top_p", 1.0).put("response_format", "auto");
        apply(assistant, request);
        assistants.insert(owner, null, assistant);
        return assistant;
    }

    ObjectNode retrieve(String owner, String id) {
        return assistants.find(owner, id).orElseThrow(() -> GatewayException.notFound("assistant", id));
    }

    ObjectNode modify(String owner, String id, ObjectNode request) {
        ObjectNode assistant = retrieve(owner, id);
        if (request.has("model") && (!request.get("model").isTextual() || request.get("model").asText().isBlank())) {
            throw GatewayException.invalidParam("model", "'model' must be a model name.");
        }
        if (request.has("model")) assistant.put("model", request.get("model").asText());
        apply(assistant, request);
        assistants.replace(owner, assistant);
        return assistant;
    }

    ObjectNode delete(String owner, String id) {
        if (!assistants.delete(owner, id)) throw GatewayException.notFound("assistant", id);
        return Json.object().put("id", id).put("object", "assistant.deleted").put("deleted", true);
    }

    ObjectNode list(String owner, Page page) {
        return Documents.listBody(assistants.list(owner, null, page), page);
    }

    /** Copies the settable fields a request names onto the assistant, validating each. */
    private static void apply(ObjectNode assistant, JsonNode request) {
        if (request.has("name")) assistant.set("name", Fields.optionalText(request.get("name"), "name", 256));
        if (request.has("description")) assistant.set("description", Fields.optionalText(request.get("description"), "description", 512));
        if (request.has("instructions")) assistant.set("instructions", Fields.optionalText(request.get("instructions"), "instructions", 256_000));
        if (request.has("tools")) assistant.set("tools", Fields.tools(request.get("tools"), "tools"));
        if (request.has("tool_resources")) assistant.set("tool_resources", request.get("tool_resources").isNull() ? Json.object() : request.get("tool_resources"));
        if (request.has("metadata")) assistant.set("metadata", Fields.metadata(request.get("metadata")));
        if (request.has("temperature")) assistant.set("temperature", Fields.number(request.get("temperature"), "temperature", 0, 2, 1.0));
        if (request.has("top_p")) assistant.set("top_p", Fields.number(request.get("top_p"), "top_p", 0, 1, 1.0));
        if (request.has("response_format")) assistant.set("response_format", Fields.responseFormat(request.get("response_format")));
        if (request.has("reasoning_effort")) assistant.set("reasoning_effort", Fields.optionalText(request.get("reasoning_effort"), "reasoning_effort", 16));
    }
}
