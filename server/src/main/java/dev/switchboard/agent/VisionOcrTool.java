package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.documents.VisionOcr;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code document.vision_ocr} (seed 003): the text of a document at a URL, read by the vision model. The URL is a
 * signed URL of a document uploaded to the gateway, or an https URL on the configured allowlist.
 */
public final class VisionOcrTool implements AgentTool {
    private final VisionOcr ocr;

    public VisionOcrTool(VisionOcr ocr) {
        this.ocr = ocr;
    }

    @Override
    public String name() {
        return "document.vision_ocr";
    }

    @Override
    public String description() {
        return "Extracts the text of a document image or PDF at a URL (a signed document URL from this gateway, or an "
                + "allowed https URL).";
    }

    @Override
    public ObjectNode parameters() {
        ObjectNode schema = Json.object().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("url").put("type", "string").put("description", "the document's signed URL");
        properties.putObject("pages").put("type", "array").put("description", "PDF pages to read, from 1")
                .putObject("items").put("type", "integer");
        properties.putObject("language").put("type", "string").put("description", "a language hint, such as German");
        schema.putArray("required").add("url");
        return schema;
    }

    @Override
    public String call(JsonNode arguments) {
        throw new IllegalStateException("document.vision_ocr needs to know who calls it");
    }

    @Override
    public String call(ToolContext context, JsonNode arguments) {
        List<Integer> pages = new ArrayList<>();
        arguments.path("pages").forEach(p -> pages.add(p.asInt()));
        return ocr.read(context.caller(), arguments.path("url").asText(), pages, arguments.path("language").asText(null));
    }
}
