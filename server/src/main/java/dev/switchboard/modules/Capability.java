package dev.switchboard.modules;

import dev.switchboard.pipeline.ApiRoutes;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * One capability of the gateway (Assistants, agents, Realtime, chat, ...), made from the {@link Foundations} by a
 * factory the gateway lists. It declares its routes to the pipeline, and is closed when the gateway stops, in the
 * reverse order of the list.
 */
public interface Capability extends AutoCloseable {
    /** Declares the capability's routes; each goes through admission. */
    void register(ApiRoutes routes);

    /** Mounts servlets of other libraries beside the routes (the MCP server); most capabilities have none. */
    default void mount(ServletContextHandler context) {}

    /** The listener is up (a capability that connects to the gateway itself, as MCP tool sources may, starts now). */
    default void started() {}

    @Override
    default void close() {}
}
