package dev.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@code POST /api/chat} body, checked: {@code messages} (role and text content), and optionally
 * {@code model}, {@code temperature}, {@code max_tokens} and {@code stream}.
 */
record ChatRequest(String model, List<Message> messages, Double temperature, Integer maxTokens, boolean stream) {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** One message of the history; {@code content} is its text. */
    record Message(String role, String content) {
        boolean instruction() {
            return role.equals("system") || role.equals("developer");
        }
    }

    static ChatRequest parse(JsonNode body, String defaultModel) {
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw GatewayException.invalidParam("messages", "'messages' must be a non-empty array of {\"role\", \"content\"} objects.");
        }
        List<Message> parsed = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) parsed.add(message(messages.get(i), i));
        if (parsed.stream().allMatch(Message::instruction)) {
            throw GatewayException.invalidParam("messages", "'messages' holds only instructions; add a 'user' message.");
        }
        Double temperature = null;
        if (body.hasNonNull("temperature")) {
            JsonNode value = body.get("temperature");
            if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 2) {
                throw GatewayException.invalidParam("temperature", "'temperature' must be a number from 0 to 2.");
            }
            temperature = value.asDouble();
        }
        Integer maxTokens = null;
        if (body.hasNonNull("max_tokens")) {
            JsonNode value = body.get("max_tokens");
            if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
                throw GatewayException.invalidParam("max_tokens", "'max_tokens' must be a positive integer.");
            }
            maxTokens = value.asInt();
        }
        JsonNode stream = body.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayException.invalidParam("stream", "'stream' must be true or false.");
        }
        JsonNode model = body.path("model");
        if (!model.isMissingNode() && !model.isNull() && (!model.isTextual() || model.asText().isBlank())) {
            throw GatewayException.invalidParam("model", "'model' must be a model name.");
        }
        return new ChatRequest(model.isTextual() ? model.asText() : defaultModel, List.copyOf(parsed), temperature, maxTokens,
                stream.asBoolean(false));
    }

    /** The history as Chat Completions messages. */
    ArrayNode chatMessages() {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (Message message : messages) array.addObject().put("role", message.role()).put("content", message.content());
        return array;
    }

    /** The instructions (system and developer messages), joined; null when there are none. */
    String instructions() {
        List<String> parts = messages.stream().filter(Message::instruction).map(Message::content).toList();
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }

    private static Message message(JsonNode node, int index) {
        String where = "messages[" + index + "]";
        String role = node.path("role").asText("");
        if (!ROLES.contains(role)) {
            throw GatewayException.invalidParam(where + ".role", "'" + where + ".role' must be one of system, developer, user, assistant.");
        }
        JsonNode content = node.path("content");
        if (content.isTextual()) return new Message(role, content.asText());
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                    throw GatewayException.invalidParam(where + ".content", "'" + where + ".content' parts must be "
                            + "{\"type\": \"text\", \"text\": \"...\"}; this endpoint takes text only.");
                }
                text.append(part.path("text").asText());
            }
            return new Message(role, text.toString());
        }
        throw GatewayException.invalidParam(where + ".content", "'" + where + ".content' must be a string.");
    }

    /** Used by the Realtime path: the message as a {@code conversation.item.create} event. */
    static ObjectNode itemCreate(Message message) {
        boolean user = message.role().equals("user");
        ObjectNode event = Json.object().put("type", "conversation.item.create");
        event.putObject("item").put("type", "message").put("role", message.role())
                .putArray("content").addObject().put("type", user ? "input_text" : "output_text").put("text", message.content());
        return event;
    }
}
