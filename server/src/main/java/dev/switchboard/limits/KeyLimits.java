package dev.switchboard.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * What one gateway key may do; a null field is no limit. {@code models} and {@code endpoints} are allowlists
 * (endpoints are paths such as {@code /v1/chat/completions} or {@code /api/agent}, each allowing itself and the paths
 * below it, whole segments only).
 */
public record KeyLimits(Integer requestsPerMinute, Integer concurrentStreams, Integer concurrentRealtime, Long tokensPerDay,
                        Long tokensPerMonth, List<String> models, List<String> endpoints) {
    public static final KeyLimits NONE = new KeyLimits(null, null, null, null, null, null, null);

    public boolean none() {
        return equals(NONE);
    }

    /**
     * Whether {@code path} (as the client sent it) is one of the allowed endpoints or below one. Matched by whole
     * segments: {@code /v1/files} allows {@code /v1/files/file-abc} but not {@code /v1/files_x}, which a prefix of
     * characters would, and the catch-all would then forward any path that merely begins like an allowed one.
     */
    public boolean allowsEndpoint(String path) {
        if (endpoints == null) return true;
        for (String endpoint : endpoints) {
            String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
            if (path.equals(base) || path.startsWith(base + "/")) return true;
        }
        return false;
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object().put("object", "gateway.key_limits");
        json.set("requests_per_minute", number(requestsPerMinute));
        json.set("concurrent_streams", number(concurrentStreams));
        json.set("concurrent_realtime_sessions", number(concurrentRealtime));
        json.set("tokens_per_day", number(tokensPerDay));
        json.set("tokens_per_month", number(tokensPerMonth));
        json.set("models", list(models));
        json.set("endpoints", list(endpoints));
        return json;
    }

    /** Limits from an admin's JSON; every field optional, null or absent for none; a 400 naming a bad field. */
    public static KeyLimits fromJson(JsonNode json) {
        json.fieldNames().forEachRemaining(name -> {
            if (!List.of("object", "requests_per_minute", "concurrent_streams", "concurrent_realtime_sessions", "tokens_per_day",
                    "tokens_per_month", "models", "endpoints").contains(name)) {
                throw GatewayException.invalidParam(name, "Unknown limit '" + name + "'. Limits: requests_per_minute, concurrent_streams, "
                        + "concurrent_realtime_sessions, tokens_per_day, tokens_per_month, models, endpoints.");
            }
        });
        return new KeyLimits(intOrNull(json, "requests_per_minute"), intOrNull(json, "concurrent_streams"),
                intOrNull(json, "concurrent_realtime_sessions"), longOrNull(json, "tokens_per_day"),
                longOrNull(json, "tokens_per_month"), strings(json, "models"), endpoints(json));
    }

    private static Integer intOrNull(JsonNode json, String name) {
        Long value = longOrNull(json, name);
        if (value != null && value > Integer.MAX_VALUE) throw GatewayException.invalidParam(name, "'" + name + "' is too large.");
        return value == null ? null : value.intValue();
    }

    private static Long longOrNull(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            throw GatewayException.invalidParam(name, "'" + name + "' must be a whole number, 0 or more, or null for no limit.");
        }
        return value.asLong();
    }

    private static List<String> strings(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) return null;
        if (!value.isArray()) throw GatewayException.invalidParam(name, "'" + name + "' must be a list of names, or null for any.");
        List<String> list = new ArrayList<>();
        for (JsonNode one : value) {
            if (!one.isTextual() || one.asText().isBlank()) throw GatewayException.invalidParam(name, "'" + name + "' holds only names.");
            list.add(one.asText().trim());
        }
        return List.copyOf(list);
    }

    private static List<String> endpoints(JsonNode json) {
        List<String> list = strings(json, "endpoints");
        if (list != null) {
            for (String path : list) {
                if (!path.startsWith("/")) throw GatewayException.invalidParam("endpoints", "Endpoints are paths such as /v1/chat/completions.");
            }
        }
        return list;
    }

    private static JsonNode number(Number value) {
        return value == null ? Json.MAPPER.nullNode() : Json.MAPPER.valueToTree(value);
    }

    private static JsonNode list(List<String> values) {
        if (values == null) return Json.MAPPER.nullNode();
        ArrayNode array = Json.MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
