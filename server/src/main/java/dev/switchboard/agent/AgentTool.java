package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool an agent may call, executed by the gateway in the middle of a stream. Implementations are called on a
 * virtual thread of their own and may block; they are cut off after the configured timeout.
 */
public interface AgentTool {
    /** The tool's name, such as {@code math.calculate}; sessions list the names they may use. */
    String name();

    String description();

    /** The JSON schema of the arguments. */
    ObjectNode parameters();

    /** Runs the tool; the returned text is what the model sees. Throwing tells the model the tool failed. */
    String call(JsonNode arguments) throws Exception;

    /** Runs the tool knowing who asked (for tools that call upstream themselves and account for it). */
    default String call(ToolContext context, JsonNode arguments) throws Exception {
        return call(arguments);
    }

    /** Who a tool call is made for. */
    record ToolContext(dev.switchboard.auth.Caller caller, String runId) {}
}
