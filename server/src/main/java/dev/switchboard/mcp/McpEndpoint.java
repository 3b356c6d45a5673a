package dev.switchboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.AgentTool;
import dev.switchboard.agent.ToolRegistry;
import dev.switchboard.auth.Caller;
import dev.switchboard.config.Version;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.pipeline.Admission;
import dev.switchboard.web.Json;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * The gateway's MCP server at {@code /mcp} (Streamable HTTP, the official MCP Java SDK), behind gateway keys. It
 * exposes the agent tools ({@code document.vision_ocr} among them), so that any MCP client, and the gateway's own
 * agents, can call them. Each call is recorded in the debug log when it is on.
 */
public final class McpEndpoint implements AutoCloseable {
    public static final String PATH = "/mcp";

    private final HttpServletStreamableServerTransportProvider transport;
    private final McpSyncServer server;
    private final McpAuthFilter auth;
    private final McpSessions sessions = new McpSessions();

    public McpEndpoint(Admission admission, ToolRegistry tools, RequestRecorder recorder) {
        this.auth = new McpAuthFilter(admission);
        this.transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint(PATH)
                .contextExtractor(request -> McpTransportContext.create(Map.of(McpAuthFilter.CALLER,
                        request.getAttribute(McpAuthFilter.CALLER))))
                .build();
        List<McpServerFeatures.SyncToolSpecification> specs = tools.all().stream().map(tool -> spec(tool, recorder)).toList();
        this.server = McpServer.sync(transport).serverInfo("switchboard", Version.VALUE)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(specs).build();
    }

    /**
     * Mounts the MCP servlet on the gateway's servlet context behind its filters, in order: the key check, errors
     * as JSON-RPC error objects, and sessions kept to the owner that opened them.
     */
    public void mount(ServletContextHandler context) {
        context.addServlet(new ServletHolder(transport), PATH);
        context.addFilter(new FilterHolder(auth), PATH, EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(new McpErrors()), PATH, EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(sessions), PATH, EnumSet.of(DispatcherType.REQUEST));
    }

    private static McpServerFeatures.SyncToolSpecification spec(AgentTool tool, RequestRecorder recorder) {
        McpSchema.Tool definition = McpSchema.Tool.builder().name(tool.name()).description(tool.description())
                .inputSchema(Json.MAPPER.convertValue(tool.parameters(), Map.class)).build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(definition).callHandler((exchange, request) -> {
            Caller caller = (Caller) exchange.transportContext().get(McpAuthFilter.CALLER);
            String callId = "mcp_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            long started = System.nanoTime();
            try {
                JsonNode arguments = Json.MAPPER.valueToTree(request.arguments() == null ? Map.of() : request.arguments());
                String output = tool.call(new AgentTool.ToolContext(caller, callId), arguments);
                record(recorder, callId, caller, tool, started, null);
                return McpSchema.CallToolResult.builder().addTextContent(output).isError(false).build();
            } catch (Exception e) {
                record(recorder, callId, caller, tool, started, String.valueOf(e.getMessage()));
                return McpSchema.CallToolResult.builder().addTextContent("The tool failed: " + e.getMessage()).isError(true).build();
            }
        }).build();
    }

    private static void record(RequestRecorder recorder, String callId, Caller caller, AgentTool tool, long started, String error) {
        recorder.toolCall(new RequestRecorder.ToolCallRow(callId, null, caller == null ? null : caller.keyId(), tool.name(),
                (System.nanoTime() - started) / 1_000_000, error, Instant.now()));
    }

    @Override
    public void close() {
        server.closeGracefully();
    }
}
