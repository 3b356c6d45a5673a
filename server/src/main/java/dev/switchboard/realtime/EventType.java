package dev.switchboard.realtime;

/**
 * The {@code type} of a Realtime event, read from its text without parsing it: the relay needs it for every
 * event, and most events (audio deltas above all) are otherwise passed on untouched. The scan stops at the
 * top-level {@code "type"} member, which OpenAI sends before the payload, so a large delta is not read through.
 */
final class EventType {
    private EventType() {}

    /** The top-level {@code type}, or null when the text has none (or is not a JSON object). */
    static String of(String json) {
        int depth = 0;
        for (int i = 0, n = json.length(); i < n; i++) {
            char c = json.charAt(i);
            if (c == '"') {
                int end = endOfString(json, i);
                if (end < 0) return null;
                if (depth == 1 && end - i == 5 && json.startsWith("type", i + 1)) {
                    String value = stringValueAfter(json, end + 1);
                    if (value != null) return value;
                }
                i = end;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return null;
    }

    /** The string after {@code :} at {@code from}, when the member's value is a string without escapes. */
    private static String stringValueAfter(String json, int from) {
        int i = skipSpaces(json, from);
        if (i >= json.length() || json.charAt(i) != ':') return null;
        i = skipSpaces(json, i + 1);
        if (i >= json.length() || json.charAt(i) != '"') return null;
        int end = endOfString(json, i);
        if (end < 0) return null;
        String value = json.substring(i + 1, end);
        return value.indexOf('\\') < 0 ? value : null;
    }

    private static int endOfString(String json, int open) {
        for (int k = open + 1; k < json.length(); k++) {
            char c = json.charAt(k);
            if (c == '\\') k++;
            else if (c == '"') return k;
        }
        return -1;
    }

    private static int skipSpaces(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) i++;
        return i;
    }
}
