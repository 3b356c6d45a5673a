package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.stream.EventLog;
import dev.switchboard.stream.NamedEvents;
import dev.switchboard.stream.OwnStream;
import dev.switchboard.stream.StreamMeta;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.DatabaseUnavailable;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes runs: each stretch of a run (from its start, or from submitted tool outputs, to completion or the next
 * tool call) is one Responses request, read on a virtual thread of its own, translated into Assistants events that
 * go to the stream core's event log. Clients follow that log, so a run goes on when they leave and can be
 * attached to again, on any instance when the log is in Redis.
 */
public final class RunEngine {
    private static final Logger LOG = LoggerFactory.getLogger(RunEngine.class);
    static final String ENDPOINT = "/v1/threads/runs";

    /** What the engine talks to. */
    public record Deps(UpstreamClient upstream, EventLog log, ExchangeListener listener) {}

    /** A stretch being executed: how to cancel it, and where to say so. */
    private static final class Active {
        final ObjectNode run;
        final Emitter emitter;
        volatile boolean cancelled;
        volatile Runnable closeUpstream = () -> { };

        Active(ObjectNode run, Emitter emitter) {
            this.run = run;
            this.emitter = emitter;
        }
    }

    /** A run's final state that could not be written (the database was away), by run id, with its owner. */
    private record Unsettled(String owner, ObjectNode run) {}

    private final Deps deps;
    private final RunStore store;
    private final RunArchive archive;
    private final String instanceId;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();

    /** @param instanceId this instance, named as each run's executor so that others can tell when it is gone */
    RunEngine(Deps deps, RunStore store, RunArchive archive, String instanceId) {
        this.deps = deps;
        this.store = store;
        this.archive = archive;
        this.instanceId = instanceId;
    }

    /**
     * Opens a new event log for the run, writes {@code prelude} events to it, and executes the next stretch in the
     * background. Returns the log's stream id.
     */
    String start(Caller caller, ObjectNode run, List<Map.Entry<String, JsonNode>> prelude) {
        String streamId = StreamMeta.newId();
        deps.log().create(new StreamMeta(streamId, caller.owner(), caller.keyId(), ENDPOINT, run.path("model").asText(null),
                true, Instant.now()));
        try {
            archive.open(streamId, caller.keyId(), run.path("model").asText(null));
            store.addStream(run.get("id").asText(), streamId, instanceId);
        } catch (RuntimeException e) {
            deps.log().finish(streamId); // nothing will write to it
            throw e;
        }
        Emitter emitter = new Emitter(deps.log(), archive, streamId);
        prelude.forEach(e -> emitter.emit(e.getKey(), e.getValue()));
        Active handle = new Active(run, emitter);
        active.put(run.get("id").asText(), handle);
        Thread.ofVirtual().name("run-" + run.get("id").asText()).start(() -> {
            try {
                execute(caller, run, emitter, handle);
            } catch (RuntimeException e) {
                if (DatabaseUnavailable.isCause(e)) {
                    LOG.warn("Run {} failed: the database became unreachable ({})", run.get("id").asText(), DatabaseUnavailable.reason(e));
                    fail(caller.owner(), run, emitter, "server_error", "The gateway lost its database while executing the run. "
                            + "Start a new run once the gateway answers again.");
                } else {
                    LOG.error("Run {} failed in the gateway", run.get("id").asText(), e);
                    fail(caller.owner(), run, emitter, "server_error", "The gateway failed while executing the run.");
                }
            } finally {
                active.remove(run.get("id").asText());
                emitter.emit("done", null);
                deps.log().finish(streamId);
            }
        });
        return streamId;
    }

    /** Names this instance as the run's executor before it is made active again (its tool outputs arrived). */
    void claim(String runId) {
        store.claim(runId, instanceId);
    }

    /** Writes the final states kept while the database was away; those still unwritten wait for the next call. */
    void settleKept() {
        for (var entry : unsettled.entrySet()) {
            store.settle(entry.getValue().owner(), entry.getValue().run());
            unsettled.remove(entry.getKey());
            LOG.info("Run {} recorded as {} now that the database is back", entry.getKey(),
                    entry.getValue().run().path("status").asText());
        }
    }

    /** Asks a running stretch to stop; false when the run is not executing here. */
    boolean cancel(String runId) {
        Active handle = active.get(runId);
        if (handle == null) return false;
        handle.cancelled = true;
        handle.emitter.emit("thread.run.cancelling", handle.run.deepCopy().put("status", "cancelling"));
        handle.closeUpstream.run();
        return true;
    }

    private void execute(Caller caller, ObjectNode run, Emitter emitter, Active handle) {
        String owner = caller.owner();
        String runId = run.get("id").asText();
        run.put("status", "in_progress");
        if (run.path("started_at").isNull()) run.put("started_at", ObjectIds.nowSeconds());
        store.runs.replace(owner, run);
        emitter.emit("thread.run.in_progress", run);

        RunTranslator translator = new RunTranslator(run, new RunTranslator.Sink() {
            @Override
            public void emit(String event, JsonNode data) {
                emitter.emit(event, data);
            }

            @Override
            public void saveMessage(ObjectNode message, boolean isNew) {
                if (isNew) store.messages.insert(owner, run.get("thread_id").asText(), message);
                else store.messages.replace(owner, message);
            }

            @Override
            public void saveStep(ObjectNode step, boolean isNew) {
                if (isNew) store.steps.insert(owner, runId, step);
                else store.steps.replace(owner, step);
            }
        });
        ArrayNode transcript = store.transcript(runId);
        ObjectNode request = ResponsesRequest.build(run, store.threadMessages(owner, run.get("thread_id").asText()), transcript);
        String requestId = RequestIds.next();
        Exchange exchange = new Exchange(requestId, caller.keyId(), caller.keyName(), owner, "/v1/responses",
                run.get("model").asText(), true, deps.listener());
        String failureCode = "server_error";
        String failure = null;
        var last = new java.util.concurrent.atomic.AtomicReference<RunTranslator.Ending>();
        OwnStream.Result result = OwnStream.read(deps.upstream(), UpstreamRequest.postJson("/responses", request, requestId),
                exchange, response -> {
                    handle.closeUpstream = response::close;
                    if (handle.cancelled) response.close();
                }, event -> {
                    last.set(translator.onEvent(event));
                    return last.get() != null;
                });
        RunTranslator.Ending ending = last.get();
        exchange.usage(translator.usage());
        exchange.answeredBy(translator.answer());
        if (handle.cancelled) {
            exchange.finish("cancelled", null);
        } else {
            switch (result.ending()) {
                case REFUSED -> {
                    failureCode = result.status() == 429 ? "rate_limit_exceeded" : result.status() == 400 ? "invalid_prompt" : "server_error";
                    failure = result.message();
                    exchange.finish("upstream_error", failureCode);
                }
                case UNAVAILABLE -> {
                    failure = result.message();
                    exchange.finish("upstream_unavailable", result.code());
                }
                case BROKEN -> {
                    // A code says why the gateway broke it (its instance shutting down); none, that upstream did.
                    if (result.code() != null) failureCode = result.code();
                    failure = result.message() != null ? result.message() : "The upstream connection broke during the run.";
                    exchange.finish("upstream_failed", result.code());
                }
                case COMPLETE, CUT_SHORT -> {
                    if (ending == null) failure = "The upstream stream ended before the run finished.";
                    else if (ending == RunTranslator.Ending.FAILED) failure = translator.failure();
                    exchange.finish(ending == null ? "upstream_failed" : "completed", null);
                }
            }
        }

        if (handle.cancelled) {
            translator.abandon("cancelled");
            run.put("status", "cancelled").put("cancelled_at", ObjectIds.nowSeconds());
            settle(owner, run);
            emitter.emit("thread.run.cancelled", run);
            return;
        }
        if (failure != null) {
            if (ending == null) translator.abandon("failed");
            fail(owner, run, emitter, failureCode, failure);
            return;
        }
        if (translator.usage() != null) run.set("usage", RunObjects.addUsage(run.get("usage"), translator.usage()));
        String overBudget = overBudget(run);
        if (overBudget != null && ending != RunTranslator.Ending.FAILED) {
            // The limits hold over the whole run, across its stretches, as the Assistants API defined them.
            translator.abandon("cancelled");
            run.put("status", "incomplete").putNull("required_action");
            run.putObject("incomplete_details").put("reason", overBudget);
            settle(owner, run);
            emitter.emit("thread.run.incomplete", run);
            return;
        }
        switch (ending) {
            case REQUIRES_ACTION -> {
                transcript.addAll(translator.callItems());
                store.saveTranscript(runId, transcript);
                run.put("status", "requires_action");
                ObjectNode action = run.putObject("required_action").put("type", "submit_tool_outputs");
                ArrayNode calls = action.putObject("submit_tool_outputs").putArray("tool_calls");
                for (RunTranslator.Call call : translator.calls()) {
                    calls.addObject().put("id", call.callId()).put("type", "function").putObject("function")
                            .put("name", call.name()).put("arguments", call.arguments());
                }
                settle(owner, run);
                emitter.emit("thread.run.requires_action", run);
            }
            case COMPLETED -> {
                run.put("status", "completed").put("completed_at", ObjectIds.nowSeconds());
                settle(owner, run);
                emitter.emit("thread.run.completed", run);
            }
            case INCOMPLETE -> {
                run.put("status", "incomplete");
                run.putObject("incomplete_details").put("reason", "max_completion_tokens");
                settle(owner, run);
                emitter.emit("thread.run.incomplete", run);
            }
            case FAILED -> fail(owner, run, emitter, failureCode, translator.failure());
        }
    }

    /** The limit the run's usage so far exceeds ({@code max_prompt_tokens} or {@code max_completion_tokens}), or null. */
    private static String overBudget(ObjectNode run) {
        JsonNode usage = run.path("usage");
        if (run.hasNonNull("max_prompt_tokens") && usage.path("prompt_tokens").asLong() > run.get("max_prompt_tokens").asLong()) {
            return "max_prompt_tokens";
        }
        if (run.hasNonNull("max_completion_tokens")
                && usage.path("completion_tokens").asLong() > run.get("max_completion_tokens").asLong()) {
            return "max_completion_tokens";
        }
        return null;
    }

    private void fail(String owner, ObjectNode run, Emitter emitter, String code, String message) {
        run.put("status", "failed").put("failed_at", ObjectIds.nowSeconds());
        run.putObject("last_error").put("code", code).put("message", message);
        settle(owner, run);
        emitter.emit("thread.run.failed", run);
        // The stream also reports the failure as an error event, as seed 000 describes, before its done.
        emitter.emit("error", Json.object().put("code", code).put("message", message).putNull("param").put("type", code));
    }

    /**
     * Writes the state a stretch ended in. While the database is away the state is kept and written by
     * {@link #settleKept} once it is back (this instance, alive, still names itself the run's executor, so no other
     * instance reclaims the run meanwhile): the stream still ends with the run's terminal event, and the run does not
     * stay active for good.
     */
    private void settle(String owner, ObjectNode run) {
        try {
            store.settle(owner, run);
        } catch (RuntimeException e) {
            if (!DatabaseUnavailable.isCause(e)) {
                LOG.error("Run {} ended {} but could not be recorded", run.get("id").asText(), run.path("status").asText(), e);
                return;
            }
            unsettled.put(run.get("id").asText(), new Unsettled(owner, run.deepCopy()));
            LOG.warn("Run {} ended {} while the database is unreachable ({}); it is recorded once the database is back",
                    run.get("id").asText(), run.path("status").asText(), DatabaseUnavailable.reason(e));
        }
    }

    /** Writes Assistants events ({@code event: NAME} / {@code data: JSON}) to a run's log and its archive. */
    static final class Emitter {
        private final EventLog log;
        private final RunArchive archive;
        private final String streamId;

        Emitter(EventLog log, RunArchive archive, String streamId) {
            this.log = log;
            this.archive = archive;
            this.streamId = streamId;
        }

        /** {@code data} null writes the terminator's {@code [DONE]}. */
        void emit(String event, JsonNode data) {
            byte[] frame = NamedEvents.frame(event, data);
            archive.keep(streamId, log.append(streamId, frame), frame);
        }
    }
}
