package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.util.List;

/**
 * The Responses API request that carries one stretch of a run: the run's settings, the thread's messages as
 * input, then the run's own function calls and their outputs so far. Stateless (store: false): everything the
 * model needs is in the request, so a run can continue on any instance.
 */
final class ResponsesRequest {
    private ResponsesRequest() {}

    static ObjectNode build(ObjectNode run, List<ObjectNode> threadMessages, ArrayNode transcript) {
        ObjectNode request = Json.object().put("model", run.get("model").asText());
        if (run.hasNonNull("instructions")) request.put("instructions", run.get("instructions").asText());
        ArrayNode input = request.putArray("input");
        for (ObjectNode message : truncate(threadMessages, run.path("truncation_strategy"))) input.add(inputItem(message));
        input.addAll(transcript);
        ArrayNode tools = request.putArray("tools");
        for (JsonNode tool : run.path("tools")) {
            JsonNode function = tool.path("function");
            ObjectNode mapped = tools.addObject().put("type", "function").put("name", function.path("name").asText());
            if (function.hasNonNull("description")) mapped.put("description", function.get("description").asText());
            mapped.set("parameters", function.hasNonNull("parameters") ? function.get("parameters") : Json.object().put("type", "object"));
            mapped.put("strict", function.path("strict").asBoolean(false));
        }
        JsonNode toolChoice = run.path("tool_choice");
        if (toolChoice.isTextual()) request.put("tool_choice", toolChoice.asText());
        else if (toolChoice.path("type").asText().equals("function")) {
            request.putObject("tool_choice").put("type", "function").put("name", toolChoice.path("function").path("name").asText());
        }
        request.put("parallel_tool_calls", run.path("parallel_tool_calls").asBoolean(true));
        if (run.hasNonNull("temperature")) request.set("temperature", run.get("temperature"));
        if (run.hasNonNull("top_p")) request.set("top_p", run.get("top_p"));
        if (run.hasNonNull("max_completion_tokens")) request.set("max_output_tokens", run.get("max_completion_tokens"));
        JsonNode format = run.path("response_format");
        if (format.isObject() && !format.path("type").asText().equals("text")) {
            ObjectNode text = request.putObject("text");
            if (format.path("type").asText().equals("json_schema")) {
                ObjectNode mapped = text.putObject("format").put("type", "json_schema");
                mapped.setAll((ObjectNode) format.path("json_schema").deepCopy());
            } else {
                text.putObject("format").put("type", "json_object");
            }
        }
        if (run.path("truncation_strategy").path("type").asText().equals("auto")) request.put("truncation", "auto");
        if (run.path("metadata").isObject() && !run.get("metadata").isEmpty()) request.set("metadata", run.get("metadata"));
        request.put("stream", true).put("store", false);
        return request;
    }

    /** {@code last_messages}: only the last N messages of the thread go upstream. */
    private static List<ObjectNode> truncate(List<ObjectNode> messages, JsonNode strategy) {
        if (!strategy.path("type").asText().equals("last_messages") || !strategy.path("last_messages").isNumber()) return messages;
        int keep = strategy.get("last_messages").asInt();
        return messages.subList(Math.max(0, messages.size() - keep), messages.size());
    }

    private static ObjectNode inputItem(ObjectNode message) {
        String role = message.path("role").asText();
        ObjectNode item = Json.object().put("type", "message").put("role", role);
        ArrayNode content = item.putArray("content");
        for (JsonNode part : message.path("content")) {
            switch (part.path("type").asText()) {
                case "text" -> content.addObject().put("type", role.equals("assistant") ? "output_text" : "input_text")
                        .put("text", part.path("text").path("value").asText());
                case "image_url" -> {
                    if (!role.equals("assistant")) {
                        content.addObject().put("type", "input_image").put("image_url", part.path("image_url").path("url").asText())
                                .put("detail", part.path("image_url").path("detail").asText("auto"));
                    }
                }
                default -> { /* only text and image parts are ever stored */ }
            }
        }
        return item;
    }
}
