package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.config.AgentSettings;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.observe.Usage;
import dev.switchboard.stream.EventLog;
import dev.switchboard.stream.NamedEvents;
import dev.switchboard.stream.OwnStream;
import dev.switchboard.stream.StreamMeta;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.DatabaseUnavailable;
import dev.switchboard.web.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an agent turn: streams the model's answer through the Responses API and resolves its tool calls in the
 * middle of the stream (runs the tool, tells the client, gives the output back to the model, streams on), up to a
 * number of rounds. Runs on a virtual thread of its own and writes small events (text-delta, tool-call,
 * tool-result, run-completed, error, done) to the stream core's log, so the run finishes and is recorded even when
 * the client leaves, and can be re-attached to with {@code GET /v1/streams/{id}}.
 */
final class AgentRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);
    static final String ENDPOINT = "/api/agent/stream";

    /** What the runner talks to. */
    record Deps(UpstreamClient upstream, EventLog log, ExchangeListener listener, ToolExecutor tools, AgentSettings settings) {}

    /** A started run: its id and the stream its events go to. */
    record Started(String runId, String streamId) {}

    /** A run's final record that could not be written (the database was away), by run id. */
    private record Unsettled(String status, String text, ArrayNode toolCalls, ObjectNode usage, ArrayNode responseIds,
                             JsonNode error) {}

    private final Deps deps;
    private final AgentRepository repository;
    private final String instanceId;
    /** Runs going on this instance, by run id, so that their owner can stop them. */
    private final Map<String, Turn> running = new ConcurrentHashMap<>();
    private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();

    /** @param instanceId this instance, named as each run's executor so that others can tell when it is gone */
    AgentRunner(Deps deps, AgentRepository repository, String instanceId) {
        this.deps = deps;
        this.repository = repository;
        this.instanceId = instanceId;
    }

    /** Writes the final records kept while the database was away; those still unwritten wait for the next call. */
    void settleKept() {
        for (var entry : unsettled.entrySet()) {
            Unsettled run = entry.getValue();
            repository.updateRun(entry.getKey(), run.status(), run.text(), run.toolCalls(), run.usage(), run.responseIds(),
                    run.error(), true);
            unsettled.remove(entry.getKey());
            LOG.info("Agent run {} recorded as {} now that the database is back", entry.getKey(), run.status());
        }
    }

    /**
     * @param requestId the client's request id: the run's upstream requests are {@code REQUEST_ID-rN}, so one id
     *                  finds the whole run in the debug log
     */
    /**
     * @param slot   the caller's concurrent-stream slot, held until the run ends (it goes on when the client leaves)
     * @param budget the key's token budgets as the run begins; the run's own tokens are added as it goes
     */
    Started start(Caller caller, String requestId, ObjectNode session, ArrayNode inputContent, boolean raw,
                  Limits.Slot slot, Limits.Budget budget) {
        String runId = AgentSessions.newId("arun_");
        String streamId = StreamMeta.newId();
        deps.log().create(new StreamMeta(streamId, caller.owner(), caller.keyId(), ENDPOINT, session.path("model").asText(),
                true, Instant.now()));
        try {
            repository.insertRun(runId, session.get("id").asText(), caller.owner(), inputContent, streamId, instanceId);
        } catch (RuntimeException e) {
            // No run will write to the stream or give the key's stream back: both end here.
            deps.log().finish(streamId);
            slot.close();
            throw e;
        }
        Thread.ofVirtual().name("agent-" + runId).start(() -> {
            Turn turn = new Turn(caller, requestId, session, runId, streamId, raw, budget);
            running.put(runId, turn);
            try {
                turn.run(inputContent);
            } catch (RuntimeException e) {
                if (DatabaseUnavailable.isCause(e)) {
                    LOG.warn("Agent run {} failed: the database became unreachable ({})", runId, DatabaseUnavailable.reason(e));
                    turn.fail("database_unavailable", "The gateway lost its database while running the agent. "
                            + "Send the input again once the gateway answers again.");
                } else {
                    LOG.error("Agent run {} failed in the gateway", runId, e);
                    turn.fail("internal_error", "The gateway failed while running the agent.");
                }
            } finally {
                slot.close();
                running.remove(runId);
                turn.emit("done", null);
                deps.log().finish(streamId);
            }
        });
        return new Started(runId, streamId);
    }

    /**
     * Stops one of {@code owner}'s runs going on this instance: the model call in progress is closed, and the run
     * ends with {@code run-cancelled}. False when no such run is going here.
     */
    boolean cancel(String owner, String runId) {
        Turn turn = running.get(runId);
        if (turn == null || !turn.caller.owner().equals(owner)) return false;
        turn.cancel();
        return true;
    }

    /** One run's state, on its own thread. */
    private final class Turn {
        private final Caller caller;
        private final String requestId;
        private int rounds;
        private final ObjectNode session;
        private final String runId;
        private final String streamId;
        private final boolean raw;
        private final StringBuilder text = new StringBuilder();
        private final ArrayNode toolCalls = Json.MAPPER.createArrayNode();
        private final ArrayNode responseIds = Json.MAPPER.createArrayNode();
        private long inputTokens;
        private long outputTokens;
        private volatile boolean cancelled;
        /** The key's budgets when the run began; the run's own tokens are added as it goes. */
        private final Limits.Budget budget;
        private volatile dev.switchboard.upstream.UpstreamResponse current;

        Turn(Caller caller, String requestId, ObjectNode session, String runId, String streamId, boolean raw,
             Limits.Budget budget) {
            this.caller = caller;
            this.requestId = requestId;
            this.session = session;
            this.runId = runId;
            this.streamId = streamId;
            this.raw = raw;
            this.budget = budget;
        }

        void run(ArrayNode inputContent) {
            ArrayNode input = Json.MAPPER.createArrayNode();
            input.addObject().put("type", "message").put("role", "user").set("content", inputContent);
            String previous = session.path("last_response_id").asText(null);
            for (int round = 0; ; round++) {
                Round result = callModel(input, previous);
                if (cancelled) {
                    emit("run-cancelled", Json.object().put("run_id", runId));
                    record("cancelled", null, true);
                    return;
                }
                if (result.failure != null) {
                    fail(result.failureCode, result.failure);
                    return;
                }
                previous = result.responseId;
                responseIds.add(result.responseId);
                repository.setLastResponse(session.get("id").asText(), result.responseId);
                if (result.calls.isEmpty()) {
                    ObjectNode completed = Json.object().put("run_id", runId).put("response_id", result.responseId);
                    completed.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                            .put("total_tokens", inputTokens + outputTokens);
                    emit("run-completed", completed);
                    record("completed", null, true);
                    return;
                }
                if (round + 1 >= deps.settings().maxToolRounds()) {
                    fail("tool_rounds_exceeded", "The model kept calling tools past " + deps.settings().maxToolRounds()
                            + " rounds (SWITCHBOARD_AGENT_MAX_TOOL_ROUNDS).");
                    return;
                }
                // The next round is a new response: a budget used up by this one ends the run here, between events.
                var exhausted = budget.exhausted(inputTokens + outputTokens);
                if (exhausted.isPresent()) {
                    fail("token_budget_exhausted", exhausted.get().getMessage());
                    return;
                }
                input = Json.MAPPER.createArrayNode();
                for (ObjectNode call : result.calls) input.add(execute(call));
                record("in_progress", null, false);
            }
        }

        void cancel() {
            cancelled = true;
            var response = current;
            if (response != null) response.close();
        }

        /** Runs one tool call with the timeout; returns the function_call_output item for the model. */
        private ObjectNode execute(ObjectNode call) {
            String functionName = call.path("name").asText();
            String name = deps.tools().toolName(functionName);
            String callId = call.path("call_id").asText();
            emit("tool-call", Json.object().put("call_id", callId).put("name", name).put("arguments", call.path("arguments").asText()));
            ToolExecutor.Result result = deps.tools().execute(caller, runId, session.path("tools"), functionName, callId,
                    call.path("arguments").asText("{}"));
            ObjectNode shown = Json.object().put("call_id", callId).put("name", name);
            if (result.output() != null) shown.put("output", result.output());
            else shown.put("error", result.error());
            emit("tool-result", shown);
            toolCalls.add(shown.deepCopy().put("arguments", call.path("arguments").asText()).put("duration_ms", result.millis()));
            return ToolExecutor.outputItem(result);
        }

        /** One streamed Responses call. */
        private Round callModel(ArrayNode input, String previous) {
            ObjectNode request = Json.object().put("model", session.path("model").asText());
            if (session.hasNonNull("instructions")) request.put("instructions", session.get("instructions").asText());
            request.set("input", input);
            if (previous != null) request.put("previous_response_id", previous);
            ArrayNode tools = deps.tools().definitions(session.path("tools"));
            for (JsonNode tool : tools) ((ObjectNode) tool).put("strict", false);
            request.set("tools", tools);
            request.put("stream", true).put("store", true);
            Round round = new Round();
            String roundId = requestId + "-r" + (++rounds);
            Exchange exchange = new Exchange(roundId, caller.keyId(), caller.keyName(), caller.owner(), "/v1/responses",
                    session.path("model").asText(), true, deps.listener());
            OwnStream.Result result = OwnStream.read(deps.upstream(), UpstreamRequest.postJson("/responses", request, roundId),
                    exchange, response -> {
                        current = response;
                        // Cancelled while the request was being sent: close what just opened.
                        if (cancelled) response.close();
                    }, event -> {
                        if (raw) emit("upstream", event);
                        return onEvent(event, round);
                    });
            switch (result.ending()) {
                case REFUSED -> {
                    round.failure = result.message();
                    round.failureCode = result.status() == 429 ? "rate_limited" : "upstream_error";
                    exchange.finish("upstream_error", round.failureCode);
                }
                case UNAVAILABLE -> {
                    round.failure = result.message();
                    round.failureCode = result.code();
                    exchange.finish("upstream_unavailable", result.code());
                }
                case BROKEN -> {
                    // A code says why the gateway broke it (its instance shutting down); none, that upstream did.
                    round.failure = result.message() != null ? result.message() : "The upstream connection broke during the answer.";
                    round.failureCode = result.code() != null ? result.code() : "upstream_disconnected";
                    exchange.finish("upstream_failed", round.failureCode);
                }
                case COMPLETE, CUT_SHORT -> {
                    if (round.responseId == null && round.failure == null) {
                        round.failure = "The upstream stream ended before the answer was complete.";
                        round.failureCode = "upstream_disconnected";
                    }
                    exchange.finish(round.failure == null ? "completed" : "upstream_failed", round.failureCode);
                }
            }
            return round;
        }

        /** Returns true once the response has ended. */
        private boolean onEvent(JsonNode event, Round round) {
            switch (event.path("type").asText()) {
                case "response.output_text.delta" -> {
                    text.append(event.path("delta").asText());
                    emit("text-delta", Json.object().put("delta", event.path("delta").asText()));
                }
                case "response.output_item.done" -> {
                    if (event.path("item").path("type").asText().equals("function_call")) round.calls.add((ObjectNode) event.get("item"));
                }
                case "response.completed" -> {
                    round.responseId = event.path("response").path("id").asText();
                    Usage usage = Usage.fromJson(event.path("response").get("usage"));
                    if (usage != null) {
                        inputTokens += usage.inputTokens();
                        outputTokens += usage.outputTokens();
                    }
                    return true;
                }
                case "response.failed", "error" -> {
                    round.failure = event.path("message").asText(event.path("response").path("error").path("message")
                            .asText("The model failed to answer."));
                    round.failureCode = "model_failed";
                    return true;
                }
                default -> { /* lifecycle events the agent stream does not show */ }
            }
            return false;
        }

        void fail(String code, String message) {
            emit("error", Json.object().put("code", code).put("message", message));
            record("failed", Json.object().put("code", code).put("message", message), true);
        }

        /**
         * Records the run as it stands. A final record that cannot be written while the database is away is kept and
         * written by {@link #settleKept} once it is back (this instance, alive, still names itself the run's
         * executor, so no other instance reclaims the run meanwhile): the stream still ends as it should.
         */
        private void record(String status, JsonNode error, boolean finished) {
            ObjectNode usage = Json.object().put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                    .put("total_tokens", inputTokens + outputTokens);
            try {
                repository.updateRun(runId, status, text.toString(), toolCalls, usage, responseIds, error, finished);
            } catch (RuntimeException e) {
                if (!finished || !DatabaseUnavailable.isCause(e)) throw e;
                unsettled.put(runId, new Unsettled(status, text.toString(), toolCalls.deepCopy(), usage, responseIds.deepCopy(), error));
                LOG.warn("Agent run {} ended {} while the database is unreachable ({}); it is recorded once the database is back",
                        runId, status, DatabaseUnavailable.reason(e));
            }
        }

        void emit(String event, JsonNode data) {
            deps.log().append(streamId, NamedEvents.frame(event, data));
        }
    }

    /** What one model call produced. */
    private static final class Round {
        final List<ObjectNode> calls = new ArrayList<>();
        String responseId;
        String failure;
        String failureCode;
    }
}
