package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A small instance that a JSON schema accepts: what the emulated model writes as a function's arguments when it
 * must call a tool. Required properties with values of their type, enums and constants honoured, bounds kept,
 * nested objects and arrays filled the same way, {@code $ref} into the schema's own {@code $defs}. Deterministic.
 */
final class SchemaInstance {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 16;

    private SchemaInstance() {}

    /** The arguments, as the JSON text a function call carries. A missing schema is an object with no properties. */
    static String arguments(JsonNode parameters) {
        if (parameters == null || parameters.isMissingNode() || parameters.isNull() || parameters.isEmpty()) return "{}";
        return Json.write(of(parameters, parameters, "value", 0));
    }

    static JsonNode of(JsonNode schema, JsonNode root, String name, int depth) {
        if (depth > MAX_DEPTH || schema == null || !schema.isObject()) return NODES.nullNode();
        if (schema.has("$ref")) return of(resolve(schema.get("$ref").asText(), root), root, name, depth + 1);
        if (schema.has("const")) return schema.get("const");
        if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) return schema.get("enum").get(0);
        if (schema.has("default")) return schema.get("default");
        for (String combinator : new String[] {"anyOf", "oneOf"}) {
            JsonNode choices = schema.path(combinator);
            if (choices.isArray() && !choices.isEmpty()) return of(firstNotNull(choices), root, name, depth + 1);
        }
        if (schema.path("allOf").isArray() && !schema.get("allOf").isEmpty()) {
            ObjectNode merged = Json.obj();
            for (JsonNode part : schema.get("allOf")) {
                JsonNode value = of(part, root, name, depth + 1);
                if (value.isObject()) merged.setAll((ObjectNode) value);
                else return value;
            }
            return merged;
        }
        return switch (type(schema)) {
            case "object" -> object(schema, root, depth);
            case "array" -> array(schema, root, name, depth);
            case "string" -> string(schema, name);
            case "integer" -> NODES.numberNode((long) Math.ceil(number(schema, 1)));
            case "number" -> NODES.numberNode(number(schema, 1));
            case "boolean" -> NODES.booleanNode(true);
            case "null" -> NODES.nullNode();
            default -> schema.has("properties") ? object(schema, root, depth) : NODES.textNode(name);
        };
    }

    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual()) return type.asText();
        if (type.isArray()) {
            for (JsonNode option : type) if (!option.asText().equals("null")) return option.asText();
            return "null";
        }
        return "";
    }

    private static JsonNode firstNotNull(JsonNode choices) {
        for (JsonNode choice : choices) if (!type(choice).equals("null")) return choice;
        return choices.get(0);
    }

    private static ObjectNode object(JsonNode schema, JsonNode root, int depth) {
        ObjectNode value = Json.obj();
        JsonNode properties = schema.path("properties");
        for (JsonNode required : schema.path("required")) {
            String property = required.asText();
            value.set(property, of(properties.path(property), root, property, depth + 1));
        }
        return value;
    }

    private static ArrayNode array(JsonNode schema, JsonNode root, String name, int depth) {
        ArrayNode value = Json.arr();
        int count = Math.max(schema.path("minItems").asInt(0), schema.has("maxItems") ? Math.min(1, schema.get("maxItems").asInt()) : 1);
        JsonNode prefix = schema.path("prefixItems");
        for (int i = 0; i < count; i++) {
            JsonNode items = prefix.has(i) ? prefix.get(i) : schema.path("items");
            value.add(items.isObject() ? of(items, root, name, depth + 1) : NODES.textNode(name));
        }
        return value;
    }

    private static JsonNode string(JsonNode schema, String name) {
        String text = switch (schema.path("format").asText("")) {
            case "date-time" -> "2025-01-01T00:00:00Z";
            case "date" -> "2025-01-01";
            case "time" -> "00:00:00";
            case "email" -> "user@example.com";
            case "uri", "url" -> "https://example.com/";
            case "uuid" -> "00000000-0000-4000-8000-000000000000";
            case "ipv4" -> "192.0.2.1";
            default -> name;
        };
        int min = schema.path("minLength").asInt(0);
        StringBuilder padded = new StringBuilder(text);
        while (padded.length() < min) padded.append('x');
        int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        return NODES.textNode(padded.length() > max ? padded.substring(0, max) : padded.toString());
    }

    /** A number within the schema's bounds, preferring {@code preferred}. */
    private static double number(JsonNode schema, double preferred) {
        double value = preferred;
        if (schema.has("minimum")) value = Math.max(value, schema.get("minimum").asDouble());
        if (schema.has("exclusiveMinimum") && schema.get("exclusiveMinimum").isNumber()) {
            value = Math.max(value, schema.get("exclusiveMinimum").asDouble() + 1);
        }
        if (schema.has("maximum")) value = Math.min(value, schema.get("maximum").asDouble());
        if (schema.has("exclusiveMaximum") && schema.get("exclusiveMaximum").isNumber()) {
            value = Math.min(value, schema.get("exclusiveMaximum").asDouble() - 1);
        }
        return value;
    }

    private static JsonNode resolve(String ref, JsonNode root) {
        if (!ref.startsWith("#")) return null;
        JsonNode target = root.at(ref.substring(1));
        return target.isMissingNode() ? null : target;
    }
}
