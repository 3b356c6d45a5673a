package dev.switchboard.mcp;

import dev.switchboard.agent.ToolRegistry;
import dev.switchboard.config.McpServerSettings;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to the configured MCP servers in the background (the gateway's own /mcp can be one of them, so this
 * starts after the listener) and registers their tools for agents as {@code SERVER.TOOL}. A server that is down
 * is retried with growing pauses; its tools appear once it answers.
 */
public final class McpToolSources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpToolSources.class);

    private final List<McpServerSettings> servers;
    private final ToolRegistry registry;
    private final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public McpToolSources(List<McpServerSettings> servers, ToolRegistry registry) {
        this.servers = servers;
        this.registry = registry;
    }

    public void connectInBackground() {
        for (McpServerSettings server : servers) Thread.ofVirtual().name("mcp-connect-" + server.name()).start(() -> connect(server));
    }

    private void connect(McpServerSettings server) {
        long pause = 500;
        while (!closed) {
            McpSyncClient client = null;
            try {
                URI url = server.url();
                HttpRequest.Builder request = HttpRequest.newBuilder();
                server.key().ifPresent(key -> request.header("Authorization", "Bearer " + key.reveal()));
                var transport = HttpClientStreamableHttpTransport.builder(url.getScheme() + "://" + url.getAuthority())
                        .endpoint(url.getRawPath()).requestBuilder(request).build();
                client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
                client.initialize();
                List<McpSchema.Tool> tools = client.listTools().tools();
                for (McpSchema.Tool tool : tools) registry.register(new RemoteMcpTool(server.name(), tool, client));
                clients.add(client);
                LOG.info("MCP server {} at {}: {} tool(s) available to agents", server.name(), url, tools.size());
                return;
            } catch (RuntimeException e) {
                if (client != null) client.close();
                LOG.warn("MCP server {} at {} is not available yet ({}); retrying in {} ms", server.name(), server.url(),
                        e.getMessage(), pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    return;
                }
                pause = Math.min(pause * 2, 30_000);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        clients.forEach(McpSyncClient::close);
    }
}
