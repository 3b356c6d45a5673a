package dev.switchboard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.StdDateFormat;

/**
 * The one ObjectMapper of the gateway, and small helpers around it. What it writes never holds the escape of
 * U+0000: a NUL is written as U+FFFD, because the JSON the gateway writes is also what it stores, and PostgreSQL's
 * {@code jsonb} refuses that escape (see {@code store.PgText} for plain text).
 */
public final class Json {
    public static final ObjectMapper MAPPER = withoutNul(new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setDateFormat(new StdDateFormat()));

    private static ObjectMapper withoutNul(ObjectMapper mapper) {
        mapper.getFactory().setCharacterEscapes(new NulAsReplacement());
        return mapper;
    }

    /** The standard JSON escapes, except that U+0000 is written as the replacement character U+FFFD. */
    private static final class NulAsReplacement extends CharacterEscapes {
        private static final SerializedString REPLACEMENT = new SerializedString("\\uFFFD");
        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        NulAsReplacement() {
            ascii[0] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0 ? REPLACEMENT : null;
        }
    }

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

    /** A mapper that writes every character as it is, for bodies relayed upstream (never for what is stored). */
    private static final ObjectMapper EXACT = new ObjectMapper();

    /** A client's body, changed by the gateway, to relay upstream: its text exactly as sent, NUL included. */
    public static byte[] exactBytes(JsonNode body) {
        try {
            return EXACT.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a JSON tree", e);
        }
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
