package dev.switchboard.emulator.vectorstores;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OpenAI's attribute filters for search: a comparison ({@code eq ne gt gte lt lte in nin} of {@code key} to
 * {@code value}) or a compound ({@code and}/{@code or} of {@code filters}).
 */
final class AttributeFilter {
    private static final int MAX_DEPTH = 32;

    private AttributeFilter() {}

    /** What is wrong with a filter, or null when it is well formed. */
    static String problem(JsonNode filter) {
        return problem(filter, 0);
    }

    private static String problem(JsonNode filter, int depth) {
        if (depth > MAX_DEPTH) return "filters are nested too deeply";
        if (!filter.isObject()) return "a filter must be an object";
        String type = filter.path("type").asText();
        switch (type) {
            case "and", "or" -> {
                if (!filter.path("filters").isArray()) return "a compound filter needs 'filters'";
                for (JsonNode inner : filter.get("filters")) {
                    String problem = problem(inner, depth + 1);
                    if (problem != null) return problem;
                }
                return null;
            }
            case "eq", "ne", "gt", "gte", "lt", "lte", "in", "nin" -> {
                if (!filter.path("key").isTextual()) return "a comparison filter needs a 'key'";
                if (!filter.has("value")) return "a comparison filter needs a 'value'";
                return null;
            }
            default -> {
                return "unknown filter type '" + type + "'";
            }
        }
    }

    /** Whether a file's attributes (an object or null) pass the filter. */
    static boolean matches(JsonNode filter, JsonNode attributes) {
        String type = filter.path("type").asText();
        if (type.equals("and") || type.equals("or")) {
            boolean all = type.equals("and");
            for (JsonNode inner : filter.get("filters")) {
                if (matches(inner, attributes) != all) return !all;
            }
            return all;
        }
        JsonNode actual = attributes == null ? null : attributes.get(filter.get("key").asText());
        JsonNode expected = filter.get("value");
        return switch (type) {
            case "eq" -> actual != null && same(actual, expected);
            case "ne" -> actual == null || !same(actual, expected);
            case "in" -> actual != null && expected.isArray() && contains(expected, actual);
            case "nin" -> actual == null || !expected.isArray() || !contains(expected, actual);
            default -> actual != null && actual.isNumber() && expected.isNumber() && compare(type, actual.asDouble(), expected.asDouble());
        };
    }

    private static boolean contains(JsonNode list, JsonNode value) {
        for (JsonNode item : list) {
            if (same(item, value)) return true;
        }
        return false;
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) return a.asDouble() == b.asDouble();
        return a.equals(b);
    }

    private static boolean compare(String op, double actual, double expected) {
        return switch (op) {
            case "gt" -> actual > expected;
            case "gte" -> actual >= expected;
            case "lt" -> actual < expected;
            default -> actual <= expected;
        };
    }
}
