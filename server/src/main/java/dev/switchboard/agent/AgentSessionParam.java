package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.GatewayException;

/**
 * How a request body names an agent session: {@code session_id}, or {@code agentSessionId} (the name seed 003's clients
 * use). Every route that takes an agent session reads it here, so each accepts both names and refuses them alike.
 */
public final class AgentSessionParam {
    public static final String NAME = "session_id";
    public static final String ALIAS = "agentSessionId";

    private AgentSessionParam() {}

    /**
     * The agent session {@code body} names.
     *
     * @throws GatewayException 400 when it names none, when a name is not a non-empty string, or when both names are
     *                          given with different ids
     */
    public static String required(JsonNode body) {
        String named = optional(body);
        if (named == null) {
            throw new GatewayException(400, "invalid_request_error", "missing_required_parameter", NAME,
                    "Missing required parameter: '" + NAME + "' (or '" + ALIAS + "'). Create an agent session with "
                            + "POST /api/agent/sessions first.");
        }
        return named;
    }

    /** The agent session {@code body} names, or null when it names none; refused as {@link #required} says. */
    public static String optional(JsonNode body) {
        String snake = read(body, NAME);
        String camel = read(body, ALIAS);
        if (snake != null && camel != null && !snake.equals(camel)) {
            throw GatewayException.invalidParam(ALIAS, "'" + NAME + "' and '" + ALIAS + "' name different agent sessions ('"
                    + snake + "' and '" + camel + "'). Send one of them.");
        }
        return snake != null ? snake : camel;
    }

    private static String read(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual() || value.asText().isBlank()) {
            throw GatewayException.invalidParam(field, "'" + field + "' must be the id of an agent session (a non-empty string).");
        }
        return value.asText();
    }
}
