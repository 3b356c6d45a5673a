package dev.switchboard.mcp;

import dev.switchboard.agent.AgentModule;
import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.pipeline.ApiRoutes;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/** The gateway's MCP server at {@code /mcp}, and the configured MCP servers whose tools agents use. */
public final class McpModule implements Capability {
    private final McpEndpoint endpoint;
    private final McpToolSources sources;

    public McpModule(Foundations f) {
        var tools = f.capability(AgentModule.class).tools();
        this.endpoint = new McpEndpoint(f.admission(), tools, f.recorder());
        this.sources = new McpToolSources(f.settings().agent().mcpServers(), tools);
    }

    /** {@code /mcp} is a servlet of the MCP SDK: admitted by its filter, with the same admission as every route. */
    @Override
    public void register(ApiRoutes api) {}

    @Override
    public void mount(ServletContextHandler context) {
        endpoint.mount(context);
    }

    /** After the listener: the gateway's own {@code /mcp} may be one of the servers. */
    @Override
    public void started() {
        sources.connectInBackground();
    }

    @Override
    public void close() {
        sources.close();
        endpoint.close();
    }
}
