package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.util.regex.Pattern;

/** Validates the fields the Assistants objects share, with the API's limits and a 400 naming the field. */
final class Fields {
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final int MAX_TOOLS = 128;

    private Fields() {}

    /** {@code metadata}: at most 16 pairs, keys up to 64 characters, string values up to 512. Absent: {}. */
    static ObjectNode metadata(JsonNode value) {
        if (value == null || value.isNull()) return Json.object();
        if (!value.isObject()) throw GatewayException.invalidParam("metadata", "'metadata' must be an object of strings.");
        if (value.size() > 16) throw GatewayException.invalidParam("metadata", "'metadata' may hold at most 16 pairs.");
        for (var entry : value.properties()) {
            if (entry.getKey().length() > 64) {
                throw GatewayException.invalidParam("metadata", "Metadata keys are at most 64 characters: '" + entry.getKey() + "'.");
            }
            if (!entry.getValue().isTextual() || entry.getValue().asText().length() > 512) {
                throw GatewayException.invalidParam("metadata", "Metadata values are strings of at most 512 characters ('"
                        + entry.getKey() + "').");
            }
        }
        return (ObjectNode) value.deepCopy();
    }

    /**
     * {@code tools}: function tools only. Runs execute on the Responses API, and this gateway does not turn the
     * output of built-in tools into run steps, so they are refused by name rather than silently ignored.
     */
    static ArrayNode tools(JsonNode value, String param) {
        if (value == null || value.isNull()) return Json.MAPPER.createArrayNode();
        if (!value.isArray()) throw GatewayException.invalidParam(param, "'" + param + "' must be an array of tools.");
        if (value.size() > MAX_TOOLS) throw GatewayException.invalidParam(param, "At most " + MAX_TOOLS + " tools.");
        for (int i = 0; i < value.size(); i++) {
            JsonNode tool = value.get(i);
            String type = tool.path("type").asText("");
            if (!type.equals("function")) {
                throw GatewayException.invalidParam(param + "[" + i + "].type", "Tool type '" + type + "' is not supported: "
                        + "this gateway runs assistants on the Responses API with function tools only. Remove the "
                        + "tool or replace it with a function tool.");
            }
            String name = tool.path("function").path("name").asText("");
            if (!FUNCTION_NAME.matcher(name).matches()) {
                throw GatewayException.invalidParam(param + "[" + i + "].function.name",
                        "A function tool needs a name of 1 to 64 letters, digits, '_' or '-'.");
            }
        }
        return (ArrayNode) value.deepCopy();
    }

    static JsonNode optionalText(JsonNode value, String param, int maxLength) {
        if (value == null || value.isNull()) return Json.MAPPER.nullNode();
        if (!value.isTextual()) throw GatewayException.invalidParam(param, "'" + param + "' must be a string.");
        if (value.asText().length() > maxLength) {
            throw GatewayException.invalidParam(param, "'" + param + "' is at most " + maxLength + " characters.");
        }
        return value;
    }

    static JsonNode number(JsonNode value, String param, double min, double max, double fallback) {
        if (value == null || value.isNull()) return Json.MAPPER.getNodeFactory().numberNode(fallback);
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw GatewayException.invalidParam(param, "'" + param + "' must be a number from " + min + " to " + max + ".");
        }
        return value;
    }

    /** {@code response_format}: "auto", or an object with a type of text, json_object or json_schema. */
    static JsonNode responseFormat(JsonNode value) {
        if (value == null || value.isNull()) return Json.MAPPER.getNodeFactory().textNode("auto");
        if (value.isTextual() && value.asText().equals("auto")) return value;
        String type = value.path("type").asText("");
        if (value.isObject() && (type.equals("text") || type.equals("json_object") || type.equals("json_schema"))) return value;
        throw GatewayException.invalidParam("response_format",
                "'response_format' must be \"auto\" or {\"type\": \"text\" | \"json_object\" | \"json_schema\"}.");
    }
}
