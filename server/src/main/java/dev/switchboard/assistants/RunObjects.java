package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.Json;

/** Builds the run, run step and delta objects in the shapes of the spec's RunObject, RunStepObject and deltas. */
final class RunObjects {
    /** How long a run may wait for tool outputs before it expires, as the Assistants API did. */
    static final long EXPIRY_SECONDS = 600;

    private RunObjects() {}

    static ObjectNode step(ObjectNode run, String type, ObjectNode details) {
        ObjectNode step = Json.object().put("id", ObjectIds.next("step_")).put("object", "thread.run.step")
                .put("created_at", ObjectIds.nowSeconds()).put("assistant_id", run.get("assistant_id").asText())
                .put("thread_id", run.get("thread_id").asText()).put("run_id", run.get("id").asText())
                .put("type", type).put("status", "in_progress");
        step.set("step_details", details);
        step.putNull("last_error").putNull("expired_at").putNull("cancelled_at").putNull("failed_at").putNull("completed_at");
        step.set("metadata", Json.object());
        step.putNull("usage");
        return step;
    }

    static ObjectNode messageCreation(String messageId) {
        ObjectNode details = Json.object().put("type", "message_creation");
        details.putObject("message_creation").put("message_id", messageId);
        return details;
    }

    static ObjectNode toolCalls() {
        ObjectNode details = Json.object().put("type", "tool_calls");
        details.putArray("tool_calls");
        return details;
    }

    /** A message the run writes, in progress and empty. */
    static ObjectNode runMessage(ObjectNode run) {
        ObjectNode message = Json.object().put("id", ObjectIds.next("msg_")).put("object", "thread.message")
                .put("created_at", ObjectIds.nowSeconds()).put("thread_id", run.get("thread_id").asText())
                .put("status", "in_progress");
        message.putNull("incomplete_details").putNull("completed_at").putNull("incomplete_at").put("role", "assistant");
        message.putArray("content");
        message.put("assistant_id", run.get("assistant_id").asText()).put("run_id", run.get("id").asText());
        message.putArray("attachments");
        message.set("metadata", Json.object());
        return message;
    }

    static ObjectNode messageDelta(String messageId, String text) {
        ObjectNode delta = Json.object().put("id", messageId).put("object", "thread.message.delta");
        ArrayNode content = delta.putObject("delta").putArray("content");
        ObjectNode part = content.addObject().put("index", 0).put("type", "text");
        part.putObject("text").put("value", text).putArray("annotations");
        return delta;
    }

    /** A step delta for one tool call: its opening (id, name) or a piece of its arguments. */
    static ObjectNode toolCallDelta(String stepId, int index, String callId, String name, String arguments) {
        ObjectNode delta = Json.object().put("id", stepId).put("object", "thread.run.step.delta");
        ObjectNode details = delta.putObject("delta").putObject("step_details").put("type", "tool_calls");
        ObjectNode call = details.putArray("tool_calls").addObject().put("index", index).put("type", "function");
        if (callId != null) call.put("id", callId);
        ObjectNode function = call.putObject("function").put("arguments", arguments);
        if (name != null) function.put("name", name).putNull("output");
        return delta;
    }

    /** Usage in the Assistants shape (prompt / completion / total tokens), added to what the run had. */
    static ObjectNode addUsage(JsonNode previous, Usage usage) {
        long prompt = usage.inputTokens();
        long completion = usage.outputTokens();
        if (previous != null && previous.isObject()) {
            prompt += previous.path("prompt_tokens").asLong();
            completion += previous.path("completion_tokens").asLong();
        }
        return Json.object().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}
