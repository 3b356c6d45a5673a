package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Agent sessions: a model, instructions and the tools the agent may use, owned by the key's owner. */
final class AgentSessions {
    private final AgentRepository repository;
    private final ToolRegistry tools;
    private final String defaultModel;

    AgentSessions(AgentRepository repository, ToolRegistry tools, String defaultModel) {
        this.repository = repository;
        this.tools = tools;
        this.defaultModel = defaultModel;
    }

    ObjectNode create(String owner, ObjectNode request) {
        String model = request.hasNonNull("model") ? text(request, "model", 200) : defaultModel;
        String name = request.hasNonNull("name") ? text(request, "name", 256) : null;
        String instructions = request.hasNonNull("instructions") ? text(request, "instructions", 256_000) : null;
        ArrayNode toolNames = Json.MAPPER.createArrayNode();
        JsonNode requested = request.get("tools");
        if (requested != null && !requested.isNull()) {
            if (!requested.isArray()) throw GatewayException.invalidParam("tools", "'tools' must be an array of tool names.");
            for (JsonNode tool : requested) {
                if (!tool.isTextual() || tools.find(tool.asText()).isEmpty()) {
                    throw GatewayException.invalidParam("tools", "Unknown tool " + (tool.isTextual() ? "'" + tool.asText() + "'" : tool)
                            + ". Available: " + String.join(", ", tools.all().stream().map(AgentTool::name).sorted().toList()) + ".");
                }
                toolNames.add(tool.asText());
            }
        }
        JsonNode metadata = request.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw GatewayException.invalidParam("metadata", "'metadata' must be an object.");
        }
        return repository.insertSession(newId("asess_"), owner, name, model, instructions, toolNames,
                metadata == null || metadata.isNull() ? Json.object() : metadata);
    }

    ObjectNode retrieve(String owner, String id) {
        return repository.findSession(owner, id).orElseThrow(() -> GatewayException.notFound("agent session", id));
    }

    ObjectNode list(String owner, int limit, String before) {
        List<ObjectNode> sessions = repository.listSessions(owner, limit + 1, before);
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        sessions.stream().limit(limit).forEach(data::add);
        body.put("has_more", sessions.size() > limit);
        return body;
    }

    ObjectNode runs(String owner, String sessionId, int limit) {
        retrieve(owner, sessionId);
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        repository.listRuns(owner, sessionId, limit).forEach(data::add);
        return body;
    }

    static String newId(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return prefix + Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Integer.toHexString(random.nextInt() | Integer.MIN_VALUE);
    }

    private static String text(ObjectNode request, String field, int max) {
        JsonNode value = request.get(field);
        if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > max) {
            throw GatewayException.invalidParam(field, "'" + field + "' must be a non-empty string of at most " + max + " characters.");
        }
        return value.asText();
    }
}
