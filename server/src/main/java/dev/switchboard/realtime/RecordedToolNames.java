package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.UnaryOperator;

/**
 * Names the tools in a Realtime event as the debug log keeps it by their own names ({@code math.calculate}), not
 * the wire names OpenAI is given ({@code math__calculate}): function calls, their arguments' end, and the tool
 * definitions of a session, wherever they sit in the event.
 */
final class RecordedToolNames {
    private RecordedToolNames() {}

    /** Renames in place, with {@code toolName} mapping a wire name to the tool's name. */
    static void rename(JsonNode node, UnaryOperator<String> toolName) {
        if (node instanceof ObjectNode object) {
            JsonNode name = object.get("name");
            if (name != null && name.isTextual() && namesATool(object.path("type").asText())) {
                object.put("name", toolName.apply(name.asText()));
            }
        }
        if (node.isContainerNode()) node.forEach(child -> rename(child, toolName));
    }

    private static boolean namesATool(String type) {
        return switch (type) {
            case "function", "function_call", "response.function_call_arguments.done" -> true;
            default -> false;
        };
    }
}
