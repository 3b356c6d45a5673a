package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.ToolExecutor;
import dev.switchboard.auth.Caller;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves an agent's tool calls in its Realtime session, server-side: when a response ends with function calls,
 * the gateway runs each enabled tool (with the agent's timeout), gives the outputs back as
 * {@code function_call_output} items and asks for the next response. Tools run on one virtual thread per session,
 * in order, so the relay never waits for them.
 */
final class VoiceTools implements SessionObserver {
    private static final Logger LOG = LoggerFactory.getLogger(VoiceTools.class);

    private final ToolExecutor executor;
    private final Caller caller;
    private final String sessionId;
    private final JsonNode enabled;
    private final Consumer<String> upstream;
    private final ExecutorService calls = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("voice-tools").factory());

    /**
     * @param enabled  the tool names the agent session enables
     * @param upstream sends an event into the session (through the relay or the call's sideband)
     */
    VoiceTools(ToolExecutor executor, Caller caller, String sessionId, JsonNode enabled, Consumer<String> upstream) {
        this.executor = executor;
        this.caller = caller;
        this.sessionId = sessionId;
        this.enabled = enabled;
        this.upstream = upstream;
    }

    @Override
    public boolean wants(String direction, String type) {
        return direction.equals("upstream") && "response.done".equals(type);
    }

    @Override
    public void onEvent(String direction, ObjectNode event) {
        List<JsonNode> functionCalls = new ArrayList<>();
        for (JsonNode item : event.path("response").path("output")) {
            if (item.path("type").asText().equals("function_call")) functionCalls.add(item.deepCopy());
        }
        if (functionCalls.isEmpty()) return;
        try {
            calls.execute(() -> answer(functionCalls));
        } catch (java.util.concurrent.RejectedExecutionException ended) {
            // The session ended before its last response was read: nobody is left to answer.
        }
    }

    @Override
    public void onEnd(Usage usage) {
        calls.shutdown();
    }

    private void answer(List<JsonNode> functionCalls) {
        try {
            for (JsonNode call : functionCalls) {
                ToolExecutor.Result result = executor.execute(caller, sessionId, enabled, call.path("name").asText(),
                        call.path("call_id").asText(), call.path("arguments").asText("{}"));
                ObjectNode create = Json.object().put("type", "conversation.item.create");
                create.set("item", ToolExecutor.outputItem(result));
                upstream.accept(Json.write(create));
            }
            upstream.accept(Json.write(Json.object().put("type", "response.create")));
        } catch (RuntimeException e) {
            LOG.warn("Could not give tool outputs back to Realtime session {}: {}", sessionId, e.toString());
        }
    }
}
