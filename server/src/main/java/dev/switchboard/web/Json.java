package dev.switchboard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.StdDateFormat;

/** The one ObjectMapper of the gateway, and small helpers around it. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setDateFormat(new StdDateFormat());

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** An OpenAI-shaped error body. */
    public static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode error = object();
        error.put("message", message).put("type", type).put("param", param).put("code", code);
        ObjectNode body = object();
        body.set("error", error);
        return body;
    }

    public static JsonNode parse(byte[] bytes) throws java.io.IOException {
        return MAPPER.readTree(bytes);
    }

    /**
     * A {@code jsonb} column's text read back: PostgreSQL accepted it, so it parses (anything else is a broken
     * database, not bad input); SQL null is JSON null.
     */
    public static JsonNode stored(String json) {
        if (json == null) return MAPPER.nullNode();
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("A jsonb column holds text that is not JSON", e);
        }
    }
}
