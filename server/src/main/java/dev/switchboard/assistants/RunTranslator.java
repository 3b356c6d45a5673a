package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one Responses stream into what the Assistants API shows of a run: the messages the model writes, the
 * message-creation and tool-call steps, and their stream events, in the order the Assistants API sent them. Keeps
 * no connection and does no I/O besides its {@link Sink}, so it is the one place where the two APIs meet.
 */
final class RunTranslator {
    /** Where the translation goes: stream events, and the objects to store. */
    interface Sink {
        void emit(String event, JsonNode data);

        void saveMessage(ObjectNode message, boolean isNew);

        void saveStep(ObjectNode step, boolean isNew);
    }

    /** How the stream ended, once it has. */
    enum Ending { COMPLETED, REQUIRES_ACTION, INCOMPLETE, FAILED }

    /** A function call the model made: it waits for its output. */
    record Call(String callId, String name, String arguments) {}

    private final ObjectNode run;
    private final Sink sink;
    private ObjectNode message;
    private ObjectNode messageStep;
    private StringBuilder text;
    private ObjectNode toolStep;
    private final List<Call> calls = new ArrayList<>();
    private final List<StringBuilder> arguments = new ArrayList<>();
    private final List<String> callIds = new ArrayList<>();
    private final List<String> callNames = new ArrayList<>();
    private Usage usage;
    /** The response object of the terminal event: its {@code model} and {@code id}, for the exchange. */
    private JsonNode answer;
    private String failure;

    RunTranslator(ObjectNode run, Sink sink) {
        this.run = run;
        this.sink = sink;
    }

    /** Feeds one Responses event; returns how the stream ended when this event ends it, else null. */
    Ending onEvent(JsonNode event) {
        String type = event.path("type").asText();
        switch (type) {
            case "response.output_item.added" -> itemAdded(event.path("item"));
            case "response.output_text.delta" -> textDelta(event.path("delta").asText());
            case "response.function_call_arguments.delta" -> argumentsDelta(event.path("output_index").asInt(), event.path("item_id").asText(),
                    event.path("delta").asText());
            case "response.output_item.done" -> itemDone(event.path("item"));
            case "response.completed" -> {
                usage = Usage.fromJson(event.path("response").get("usage"));
                answer = event.path("response");
                return finishSteps(calls.isEmpty() ? Ending.COMPLETED : Ending.REQUIRES_ACTION);
            }
            case "response.incomplete" -> {
                usage = Usage.fromJson(event.path("response").get("usage"));
                answer = event.path("response");
                return finishSteps(Ending.INCOMPLETE);
            }
            case "response.failed" -> {
                failure = event.path("response").path("error").path("message").asText("The model failed to answer.");
                return finishSteps(Ending.FAILED);
            }
            case "error" -> {
                failure = event.path("message").asText("The upstream stream reported an error.");
                return finishSteps(Ending.FAILED);
            }
            default -> { /* lifecycle events the Assistants API has no counterpart for */ }
        }
        return null;
    }

    List<Call> calls() {
        return calls;
    }

    Usage usage() {
        return usage;
    }

    JsonNode answer() {
        return answer;
    }

    String failure() {
        return failure;
    }

    /** The function calls as Responses input items, to send back with their outputs. */
    ArrayNode callItems() {
        ArrayNode items = Json.MAPPER.createArrayNode();
        for (Call call : calls) {
            items.addObject().put("type", "function_call").put("call_id", call.callId()).put("name", call.name())
                    .put("arguments", call.arguments());
        }
        return items;
    }

    /** The open tool-call step, waiting for outputs, or null. */
    ObjectNode toolStep() {
        return toolStep;
    }

    /** Ends what is open when the stream stops for another reason (a cut, a cancellation). */
    void abandon(String status) {
        long now = ObjectIds.nowSeconds();
        if (message != null && message.path("status").asText().equals("in_progress")) {
            message.put("status", "incomplete").put("incomplete_at", now);
            message.putObject("incomplete_details").put("reason", "run_" + status);
            message.set("content", Json.MAPPER.createArrayNode().add(MessageContent.text(text.toString())));
            sink.saveMessage(message, false);
        }
        for (ObjectNode step : new ObjectNode[] {messageStep, toolStep}) {
            if (step != null && step.path("status").asText().equals("in_progress")) {
                step.put("status", status).put(status + "_at", now);
                sink.saveStep(step, false);
                sink.emit("thread.run.step." + status, step);
            }
        }
    }

    private void itemAdded(JsonNode item) {
        if (item.path("type").asText().equals("message")) {
            message = RunObjects.runMessage(run);
            text = new StringBuilder();
            messageStep = RunObjects.step(run, "message_creation", RunObjects.messageCreation(message.get("id").asText()));
            sink.saveStep(messageStep, true);
            sink.emit("thread.run.step.created", messageStep);
            sink.emit("thread.run.step.in_progress", messageStep);
            sink.saveMessage(message, true);
            sink.emit("thread.message.created", message);
            sink.emit("thread.message.in_progress", message);
        } else if (item.path("type").asText().equals("function_call")) {
            if (toolStep == null) {
                toolStep = RunObjects.step(run, "tool_calls", RunObjects.toolCalls());
                sink.saveStep(toolStep, true);
                sink.emit("thread.run.step.created", toolStep);
                sink.emit("thread.run.step.in_progress", toolStep);
            }
            int index = callIds.size();
            callIds.add(item.path("call_id").asText());
            callNames.add(item.path("name").asText());
            arguments.add(new StringBuilder());
            ((ArrayNode) toolStep.path("step_details").path("tool_calls")).addObject().put("id", item.path("call_id").asText())
                    .put("type", "function").putObject("function").put("name", item.path("name").asText())
                    .put("arguments", "").putNull("output");
            sink.emit("thread.run.step.delta", RunObjects.toolCallDelta(toolStep.get("id").asText(), index,
                    item.path("call_id").asText(), item.path("name").asText(), ""));
        }
    }

    private void textDelta(String delta) {
        if (message == null) return;
        text.append(delta);
        sink.emit("thread.message.delta", RunObjects.messageDelta(message.get("id").asText(), delta));
    }

    private void argumentsDelta(int outputIndex, String itemId, String delta) {
        if (toolStep == null || arguments.isEmpty()) return;
        int index = arguments.size() - 1;
        arguments.get(index).append(delta);
        sink.emit("thread.run.step.delta", RunObjects.toolCallDelta(toolStep.get("id").asText(), index, null, null, delta));
    }

    private void itemDone(JsonNode item) {
        String type = item.path("type").asText();
        if (type.equals("message") && message != null) {
            long now = ObjectIds.nowSeconds();
            message.set("content", Json.MAPPER.createArrayNode().add(MessageContent.text(text.toString())));
            if (item.path("status").asText().equals("incomplete")) {
                // Cut at max_output_tokens: the message ends incomplete, as the run does (response.incomplete follows).
                endIncomplete(now);
            } else {
                message.put("status", "completed").put("completed_at", now);
                sink.saveMessage(message, false);
                sink.emit("thread.message.completed", message);
            }
            messageStep.put("status", "completed").put("completed_at", now);
            sink.saveStep(messageStep, false);
            sink.emit("thread.run.step.completed", messageStep);
        } else if (type.equals("function_call") && toolStep != null) {
            int index = callIds.indexOf(item.path("call_id").asText());
            if (index < 0) return;
            String args = item.hasNonNull("arguments") ? item.get("arguments").asText() : arguments.get(index).toString();
            calls.add(new Call(callIds.get(index), callNames.get(index), args));
            ((ObjectNode) toolStep.path("step_details").path("tool_calls").get(index).path("function")).put("arguments", args);
            sink.saveStep(toolStep, false);
        }
    }

    /** The message as OpenAI ends one the token limit cut: incomplete, with the reason, and its own event. */
    private void endIncomplete(long now) {
        message.put("status", "incomplete").put("incomplete_at", now);
        message.putObject("incomplete_details").put("reason", "max_tokens");
        sink.saveMessage(message, false);
        sink.emit("thread.message.incomplete", message);
    }

    private Ending finishSteps(Ending ending) {
        if (ending == Ending.FAILED) abandon("failed");
        if (ending == Ending.INCOMPLETE && message != null && message.path("status").asText().equals("in_progress")) {
            message.set("content", Json.MAPPER.createArrayNode().add(MessageContent.text(text.toString())));
            endIncomplete(ObjectIds.nowSeconds());
        }
        // One Responses call is one usage: it goes to the step that call produced last.
        ObjectNode usageStep = messageStep != null ? messageStep : toolStep;
        if (usage != null && usageStep != null) usageStep.set("usage", RunObjects.addUsage(null, usage));
        if (usageStep != null && ending != Ending.FAILED) sink.saveStep(usageStep, false);
        return ending;
    }
}
