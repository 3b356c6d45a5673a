package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON helpers: the emulator builds every OpenAI object as a Jackson tree, in the field order OpenAI uses. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** An object from alternating keys and values; values may be JsonNodes, strings, numbers, booleans or null. */
    public static ObjectNode obj(Object... keysAndValues) {
        ObjectNode node = MAPPER.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], MAPPER.valueToTree(keysAndValues[i + 1]));
        }
        return node;
    }

    public static ArrayNode arr(Object... values) {
        ArrayNode node = MAPPER.createArrayNode();
        for (Object v : values) node.add(MAPPER.<JsonNode>valueToTree(v));
        return node;
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode parse(String text) throws java.io.IOException {
        return MAPPER.readTree(text);
    }
}
