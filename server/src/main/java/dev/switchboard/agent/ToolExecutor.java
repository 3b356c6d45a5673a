package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.web.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs the function calls a model makes for an agent session, wherever the model runs (an agent stream, a Realtime
 * voice session): only the tools the session enables, each on a virtual thread of its own, cut off after the
 * timeout. A failing, refused or timed-out tool becomes an error the model is told about, never an exception.
 * Each call goes to the debug log, without its arguments.
 */
public final class ToolExecutor {
    private final ToolRegistry tools;
    private final Duration timeout;
    private final Consumer<RequestRecorder.ToolCallRow> log;

    public ToolExecutor(ToolRegistry tools, Duration timeout, Consumer<RequestRecorder.ToolCallRow> log) {
        this.tools = tools;
        this.timeout = timeout;
        this.log = log;
    }

    /** The tools there are. */
    public ToolRegistry registry() {
        return tools;
    }

    /** What a call gave: its output or its error, and how long it took. */
    public record Result(String callId, String name, String output, String error, long millis) {
        /** What the model is given back. */
        public String forModel() {
            return output != null ? output : "Error: the tool failed: " + error;
        }
    }

    /** The function definitions of the tools {@code enabled} names (as an agent session lists them). */
    public ArrayNode definitions(JsonNode enabled) {
        ArrayNode definitions = Json.MAPPER.createArrayNode();
        for (JsonNode name : enabled) {
            tools.find(name.asText()).ifPresent(tool -> definitions.addObject().put("type", "function")
                    .put("name", ToolRegistry.functionName(tool)).put("description", tool.description())
                    .set("parameters", tool.parameters()));
        }
        return definitions;
    }

    /**
     * The name people see for the function a model called: the tool's own ({@code math.calculate}), not the wire
     * name OpenAI was given ({@code math__calculate}). Everything the gateway shows or records about a call (events,
     * run records, the debug log) is named through here; an unknown function keeps the name the model gave.
     */
    public String toolName(String functionName) {
        return tools.byFunctionName(functionName).map(AgentTool::name).orElse(functionName);
    }

    /**
     * Runs one function call, if {@code enabled} allows its tool; {@code runId} names what it was made for. The
     * result and the debug log name the tool as {@link #toolName} does.
     */
    public Result execute(Caller caller, String runId, JsonNode enabled, String functionName, String callId, String arguments) {
        String name = toolName(functionName);
        long started = System.nanoTime();
        String output = null;
        String error = null;
        try {
            AgentTool tool = allowed(enabled, functionName);
            JsonNode parsed = Json.MAPPER.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
            try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<String> future = executor.submit(() -> tool.call(new AgentTool.ToolContext(caller, runId), parsed));
                try {
                    output = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    future.cancel(true);
                    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s");
                }
            }
        } catch (ExecutionException e) {
            error = String.valueOf(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (Exception e) {
            error = String.valueOf(e.getMessage());
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.accept(new RequestRecorder.ToolCallRow(callId, runId, caller.keyId(), name, millis, error, Instant.now()));
        return new Result(callId, name, output, error, millis);
    }

    private AgentTool allowed(JsonNode enabled, String functionName) {
        AgentTool tool = tools.byFunctionName(functionName)
                .orElseThrow(() -> new IllegalArgumentException("no tool named " + functionName));
        for (JsonNode name : enabled) if (name.asText().equals(tool.name())) return tool;
        throw new IllegalArgumentException("tool " + tool.name() + " is not enabled for this session");
    }

    /** The result as a Responses or Realtime {@code function_call_output} item. */
    public static ObjectNode outputItem(Result result) {
        return Json.object().put("type", "function_call_output").put("call_id", result.callId()).put("output", result.forModel());
    }
}
