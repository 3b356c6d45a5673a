package dev.switchboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * The characters a JSON body may carry, checked once for every route where the body is parsed
 * ({@link RequestBodies}). Identifiers (models, names, ids, tool names, URLs) and field names may hold no control
 * character: a NUL or a line break in one is never meant, and would travel into logs, the database and upstream
 * requests. A body the gateway keeps may hold no NUL anywhere, since PostgreSQL cannot store it; a body relayed to
 * OpenAI unchanged and not kept may (OpenAI accepts it in text). Refusals are 400 {@code invalid_value} naming the
 * field the way OpenAI does ({@code messages[0].content}).
 */
final class BodyText {
    private static final Set<String> IDENTIFIERS = Set.of("model", "models", "name", "id", "ids", "url", "voice", "tool",
            "tools", "conversation", "owner", "role", "type", "object", "endpoints");

    private BodyText() {}

    /** @param kept whether the gateway stores the body (then NUL is refused in every string) */
    static void check(JsonNode body, boolean kept) {
        walk(body, "", false, kept);
    }

    private static void walk(JsonNode node, String path, boolean identifier, boolean kept) {
        if (node.isTextual()) {
            String text = node.textValue();
            // A data: URL is a payload, not a name or an address: base64 some clients wrap across lines.
            if (identifier && !text.startsWith("data:")) {
                int at = firstControl(text);
                if (at >= 0) throw controlCharacter(path, text.charAt(at));
            } else if (kept && text.indexOf('\0') >= 0) {
                throw GatewayException.invalidParam(path, "'" + path + "' contains a NUL character (U+0000), which the "
                        + "gateway cannot store. Remove it and send the request again.");
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) walk(node.get(i), path + "[" + i + "]", identifier, kept);
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String name = field.getKey();
                String fieldPath = path.isEmpty() ? name : path + "." + name;
                int at = firstControl(name);
                if (at >= 0) throw controlCharacter(visible(fieldPath), name.charAt(at));
                walk(field.getValue(), fieldPath, isIdentifier(name), kept);
            }
        }
    }

    private static boolean isIdentifier(String field) {
        // Ids are named in snake_case by OpenAI and in camelCase by some clients (seed 003's agentSessionId).
        return IDENTIFIERS.contains(field) || field.endsWith("_id") || field.endsWith("_ids") || field.endsWith("Id")
                || field.endsWith("Ids") || field.endsWith("_url") || field.endsWith("_name");
    }

    /** The index of the first C0 or C1 control character (or DEL), or -1. */
    static int firstControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return i;
        }
        return -1;
    }

    /** The path, each control character in it written as a JSON escape (backslash, u, four hex digits). */
    private static String visible(String path) {
        StringBuilder out = new StringBuilder(path.length() + 8);
        for (char c : path.toCharArray()) {
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.toString();
    }

    private static GatewayException controlCharacter(String path, char c) {
        return GatewayException.invalidParam(path, "'" + path + "' contains a control character (U+"
                + String.format("%04X", (int) c) + "). Models, names, ids, tool names and URLs are plain text: "
                + "remove it and send the request again.");
    }
}
