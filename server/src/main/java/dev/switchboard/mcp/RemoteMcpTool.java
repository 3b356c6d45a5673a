package dev.switchboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentTool;
import dev.switchboard.web.Json;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.stream.Collectors;

/** A tool of another MCP server, offered to agents as {@code SERVER.TOOL} and called through that server. */
final class RemoteMcpTool implements AgentTool {
    private final String name;
    private final McpSchema.Tool remote;
    private final McpSyncClient client;

    RemoteMcpTool(String serverName, McpSchema.Tool remote, McpSyncClient client) {
        this.name = serverName + "." + remote.name();
        this.remote = remote;
        this.client = client;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return remote.description() == null ? remote.name() : remote.description();
    }

    @Override
    public ObjectNode parameters() {
        JsonNode schema = Json.MAPPER.valueToTree(remote.inputSchema());
        return schema instanceof ObjectNode object ? object : Json.object().put("type", "object");
    }

    @Override
    @SuppressWarnings("unchecked")
    public String call(JsonNode arguments) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(remote.name(),
                Json.MAPPER.convertValue(arguments, Map.class)));
        String text = result.content().stream().filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text()).collect(Collectors.joining("\n"));
        if (Boolean.TRUE.equals(result.isError())) throw new IllegalStateException(text);
        return text;
    }
}
