package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;

/**
 * A message's {@code content} as a request gives it (a string, or text and image parts) turned into the content
 * parts a message object holds.
 */
final class MessageContent {
    private MessageContent() {}

    static ArrayNode fromRequest(JsonNode content, String param) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        if (content == null || content.isNull()) throw GatewayException.missingParam(param);
        if (content.isTextual()) {
            parts.add(text(content.asText()));
            return parts;
        }
        if (!content.isArray() || content.isEmpty()) {
            throw GatewayException.invalidParam(param, "'" + param + "' must be a string or a non-empty array of content parts.");
        }
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> {
                    if (!part.path("text").isTextual()) {
                        throw GatewayException.invalidParam(param + "[" + i + "].text", "A text part needs 'text', a string.");
                    }
                    parts.add(text(part.get("text").asText()));
                }
                case "image_url" -> {
                    String url = part.path("image_url").path("url").asText("");
                    if (!url.startsWith("https://") && !url.startsWith("http://") && !url.startsWith("data:image/")) {
                        throw GatewayException.invalidParam(param + "[" + i + "].image_url.url",
                                "An image part needs 'image_url.url': an http(s) URL or a data:image/ URL.");
                    }
                    ObjectNode image = Json.object();
                    image.putObject("image_url").put("url", url).put("detail", part.path("image_url").path("detail").asText("auto"));
                    parts.add(image.put("type", "image_url"));
                }
                default -> throw GatewayException.invalidParam(param + "[" + i + "].type", "Content part type '" + type
                        + "' is not supported here; use 'text' or 'image_url' (this gateway has no Files API for image_file).");
            }
        }
        return parts;
    }

    static ObjectNode text(String value) {
        ObjectNode part = Json.object().put("type", "text");
        part.putObject("text").put("value", value).putArray("annotations");
        return part;
    }

    /** The text of a message's parts, joined: what a run sends upstream and what the tests compare. */
    static String plainText(JsonNode parts) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : parts) {
            if (part.path("type").asText().equals("text")) text.append(part.path("text").path("value").asText());
        }
        return text.toString();
    }
}
