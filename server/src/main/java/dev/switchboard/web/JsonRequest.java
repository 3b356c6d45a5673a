package dev.switchboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON request body: the bytes exactly as the client sent them (forwarded upstream unchanged) and the parsed
 * object (read for the few fields the gateway needs).
 */
public record JsonRequest(byte[] raw, ObjectNode json) {
    public String requiredText(String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) throw GatewayException.missingParam(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw GatewayException.invalidParam(field, "'" + field + "' must be a non-empty string.");
        }
        return value.asText();
    }

    public boolean flag(String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) return false;
        if (!value.isBoolean()) throw GatewayException.invalidParam(field, "'" + field + "' must be true or false.");
        return value.asBoolean();
    }
}
