package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runs and run steps: create (on a thread, or with a new thread), retrieve, list, modify, cancel, tool outputs. */
final class RunService {
    /** A run as created, and the stream its events go to. */
    record Started(ObjectNode run, String streamId) {}

    private final AssistantService assistants;
    private final ThreadService threads;
    private final RunStore store;
    private final RunEngine engine;
    private final RunExpiry expiry;

    RunService(AssistantService assistants, ThreadService threads, RunStore store, RunEngine engine, RunExpiry expiry) {
        this.assistants = assistants;
        this.threads = threads;
        this.store = store;
        this.engine = engine;
        this.expiry = expiry;
    }

    Started create(Caller caller, String threadId, ObjectNode request) {
        threads.retrieveThread(caller.owner(), threadId);
        return start(caller, threadId, request, new ArrayList<>());
    }

    /** {@code POST /v1/threads/runs}: a new thread (its {@code thread.created} event first), then a run on it. */
    Started createThreadAndRun(Caller caller, ObjectNode request) {
        JsonNode threadRequest = request.get("thread");
        if (threadRequest != null && !threadRequest.isNull() && !threadRequest.isObject()) {
            throw GatewayException.invalidParam("thread", "'thread' must be an object.");
        }
        ObjectNode assistant = requireAssistant(caller, request);
        ObjectNode thread = threads.createThread(caller.owner(), threadRequest == null || threadRequest.isNull()
                ? Json.object() : (ObjectNode) threadRequest);
        List<Map.Entry<String, JsonNode>> prelude = new ArrayList<>();
        prelude.add(Map.entry("thread.created", thread));
        return start(caller, thread.get("id").asText(), request, prelude);
    }

    ObjectNode retrieve(String owner, String threadId, String runId) {
        threads.retrieveThread(owner, threadId);
        return store.runs.find(owner, threadId, runId).orElseThrow(() -> GatewayException.notFound("run", runId));
    }

    ObjectNode list(String owner, String threadId, Page page) {
        threads.retrieveThread(owner, threadId);
        return Documents.listBody(store.runs.list(owner, threadId, page), page);
    }

    ObjectNode modify(String owner, String threadId, String runId, ObjectNode request) {
        ObjectNode run = retrieve(owner, threadId, runId);
        if (request.has("metadata")) run.set("metadata", Fields.metadata(request.get("metadata")));
        store.runs.replace(owner, run);
        return run;
    }

    /** Cancels a run that is not finished: at once when it waits for tool outputs, else by stopping upstream. */
    ObjectNode cancel(String owner, String threadId, String runId) {
        ObjectNode run = retrieve(owner, threadId, runId);
        String status = run.path("status").asText();
        switch (status) {
            case "requires_action" -> {
                run.put("status", "cancelled").put("cancelled_at", ObjectIds.nowSeconds()).putNull("required_action");
                store.runs.replace(owner, run);
                return run;
            }
            case "queued", "in_progress" -> {
                if (!engine.cancel(runId)) {
                    // Executed by an instance that stopped: nothing runs it any more.
                    run.put("status", "cancelled").put("cancelled_at", ObjectIds.nowSeconds());
                    store.runs.replace(owner, run);
                    return run;
                }
                return run.deepCopy().put("status", "cancelling");
            }
            default -> throw new GatewayException(400, "invalid_request_error", "run_not_active", null,
                    "Cannot cancel run with status '" + status + "'.");
        }
    }

    /** Continues a run that waits for tool outputs; every pending call needs its output. */
    Started submitToolOutputs(Caller caller, String threadId, String runId, ObjectNode request) {
        String owner = caller.owner();
        ObjectNode run = retrieve(owner, threadId, runId);
        if (run.path("status").asText().equals("requires_action") && run.path("expires_at").asLong() < ObjectIds.nowSeconds()) {
            expiry.expire(owner, runId);
            run = retrieve(owner, threadId, runId);
        }
        if (!run.path("status").asText().equals("requires_action")) {
            throw new GatewayException(400, "invalid_request_error", "run_not_waiting", null,
                    "Run " + runId + " is not waiting for tool outputs (its status is '" + run.path("status").asText() + "').");
        }
        JsonNode outputs = request.get("tool_outputs");
        if (outputs == null || !outputs.isArray()) throw GatewayException.missingParam("tool_outputs");
        Set<String> pending = new HashSet<>();
        run.path("required_action").path("submit_tool_outputs").path("tool_calls").forEach(c -> pending.add(c.path("id").asText()));
        ArrayNode transcript = store.transcript(runId);
        Set<String> given = new HashSet<>();
        for (JsonNode output : outputs) {
            String callId = output.path("tool_call_id").asText("");
            if (!pending.contains(callId)) {
                throw GatewayException.invalidParam("tool_outputs", "No pending tool call has id '" + callId + "'.");
            }
            given.add(callId);
            transcript.addObject().put("type", "function_call_output").put("call_id", callId)
                    .put("output", output.path("output").asText(""));
        }
        if (!given.equals(pending)) {
            pending.removeAll(given);
            throw GatewayException.invalidParam("tool_outputs", "Outputs are missing for tool calls " + pending + ".");
        }
        store.saveTranscript(runId, transcript);
        List<Map.Entry<String, JsonNode>> prelude = new ArrayList<>();
        ObjectNode step = pendingToolStep(owner, runId);
        if (step != null) {
            for (JsonNode call : step.path("step_details").path("tool_calls")) {
                for (JsonNode output : outputs) {
                    if (output.path("tool_call_id").asText().equals(call.path("id").asText())) {
                        ((ObjectNode) call.path("function")).put("output", output.path("output").asText(""));
                    }
                }
            }
            step.put("status", "completed").put("completed_at", ObjectIds.nowSeconds());
            store.steps.replace(owner, step);
            prelude.add(Map.entry("thread.run.step.completed", step));
        }
        engine.claim(runId);
        run.put("status", "queued").putNull("required_action");
        store.runs.replace(owner, run);
        prelude.add(Map.entry("thread.run.queued", run.deepCopy()));
        // The engine's thread changes the run from now on: answer with the run as it is now.
        ObjectNode snapshot = run.deepCopy();
        return new Started(snapshot, engine.start(caller, run, prelude));
    }

    ObjectNode listSteps(String owner, String threadId, String runId, Page page) {
        retrieve(owner, threadId, runId);
        return Documents.listBody(store.steps.list(owner, runId, page), page);
    }

    ObjectNode retrieveStep(String owner, String threadId, String runId, String stepId) {
        retrieve(owner, threadId, runId);
        return store.steps.find(owner, runId, stepId).orElseThrow(() -> GatewayException.notFound("step", stepId));
    }

    private Started start(Caller caller, String threadId, ObjectNode request, List<Map.Entry<String, JsonNode>> prelude) {
        String owner = caller.owner();
        ObjectNode assistant = requireAssistant(caller, request);
        if (store.hasActiveRun(owner, threadId)) {
            throw new GatewayException(400, "invalid_request_error", "thread_busy", null,
                    "Thread " + threadId + " already has an active run; wait for it to finish or cancel it.");
        }
        ObjectNode run = newRun(threadId, assistant, request);
        JsonNode additional = request.get("additional_messages");
        if (additional != null && !additional.isNull()) {
            if (!additional.isArray()) throw GatewayException.invalidParam("additional_messages", "'additional_messages' must be an array.");
            for (JsonNode message : additional) threads.createMessage(owner, threadId, (ObjectNode) message);
        }
        store.runs.insert(owner, threadId, run);
        prelude.add(Map.entry("thread.run.created", run.deepCopy()));
        prelude.add(Map.entry("thread.run.queued", run.deepCopy()));
        // The engine's thread changes the run from now on: answer with the run as it is now.
        ObjectNode snapshot = run.deepCopy();
        return new Started(snapshot, engine.start(caller, run, prelude));
    }

    private ObjectNode requireAssistant(Caller caller, ObjectNode request) {
        JsonNode id = request.get("assistant_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) throw GatewayException.missingParam("assistant_id");
        return assistants.retrieve(caller.owner(), id.asText());
    }

    /** The run's settings: the request's where given, else the assistant's. */
    private static ObjectNode newRun(String threadId, ObjectNode assistant, ObjectNode request) {
        long now = ObjectIds.nowSeconds();
        ObjectNode run = Json.object().put("id", ObjectIds.next("run_")).put("object", "thread.run").put("created_at", now)
                .put("thread_id", threadId).put("assistant_id", assistant.get("id").asText()).put("status", "queued");
        run.putNull("required_action").putNull("last_error").put("expires_at", now + RunObjects.EXPIRY_SECONDS);
        run.putNull("started_at").putNull("cancelled_at").putNull("failed_at").putNull("completed_at").putNull("incomplete_details");
        run.put("model", model(assistant, request));
        String instructions = request.hasNonNull("instructions") ? Fields.optionalText(request.get("instructions"), "instructions", 256_000).asText()
                : assistant.path("instructions").asText(null);
        if (request.hasNonNull("additional_instructions")) {
            String more = Fields.optionalText(request.get("additional_instructions"), "additional_instructions", 256_000).asText();
            instructions = instructions == null ? more : instructions + "\n\n" + more;
        }
        run.put("instructions", instructions == null ? "" : instructions);
        run.set("tools", request.has("tools") ? Fields.tools(request.get("tools"), "tools") : assistant.get("tools"));
        run.set("metadata", Fields.metadata(request.get("metadata")));
        run.putNull("usage");
        run.set("temperature", request.has("temperature") ? Fields.number(request.get("temperature"), "temperature", 0, 2, 1.0)
                : assistant.path("temperature"));
        run.set("top_p", request.has("top_p") ? Fields.number(request.get("top_p"), "top_p", 0, 1, 1.0) : assistant.path("top_p"));
        run.set("max_prompt_tokens", positiveOrNull(request.get("max_prompt_tokens"), "max_prompt_tokens"));
        run.set("max_completion_tokens", positiveOrNull(request.get("max_completion_tokens"), "max_completion_tokens"));
        JsonNode truncation = request.get("truncation_strategy");
        if (truncation == null || truncation.isNull()) run.putObject("truncation_strategy").put("type", "auto").putNull("last_messages");
        else if (truncation.path("type").asText().matches("auto|last_messages")) run.set("truncation_strategy", truncation);
        else throw GatewayException.invalidParam("truncation_strategy", "'truncation_strategy.type' must be 'auto' or 'last_messages'.");
        JsonNode toolChoice = request.get("tool_choice");
        run.set("tool_choice", toolChoice == null || toolChoice.isNull() ? Json.MAPPER.getNodeFactory().textNode("auto") : toolChoice);
        run.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
        run.set("response_format", request.has("response_format") ? Fields.responseFormat(request.get("response_format"))
                : assistant.path("response_format"));
        return run;
    }

    /** The run's model: the request's where given, else the assistant's. */
    /**
     * The model a run request names (its own, else its assistant's), for admission to check against the key's models
     * before anything is made: a refused run leaves nothing behind.
     */
    String modelFor(Caller caller, ObjectNode request) {
        return model(requireAssistant(caller, request), request);
    }

    private static String model(ObjectNode assistant, ObjectNode request) {
        JsonNode model = request.get("model");
        return model != null && model.isTextual() && !model.asText().isBlank() ? model.asText() : assistant.get("model").asText();
    }

    private static JsonNode positiveOrNull(JsonNode value, String param) {
        if (value == null || value.isNull()) return Json.MAPPER.nullNode();
        if (!value.canConvertToInt() || value.asInt() < 256) {
            throw GatewayException.invalidParam(param, "'" + param + "' must be a whole number of at least 256.");
        }
        return value;
    }

    private ObjectNode pendingToolStep(String owner, String runId) {
        for (ObjectNode step : store.steps.list(owner, runId, new Page(100, false, null, null))) {
            if (step.path("type").asText().equals("tool_calls") && step.path("status").asText().equals("in_progress")) return step;
        }
        return null;
    }
}
