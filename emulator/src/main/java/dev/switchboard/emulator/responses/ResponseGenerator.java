package dev.switchboard.emulator.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Delays;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Reply;
import dev.switchboard.emulator.ToolCall;

/**
 * Produces the Responses streaming lifecycle for one reply into a {@link ResponseRecord}: created, (queued,)
 * in_progress, the output items with their deltas, then completed with usage. Sequence numbers count from 0.
 */
final class ResponseGenerator {
    private final ResponseRecord record;
    private final Reply reply;
    private final long delayMillis;
    private final ArrayNode output = Json.arr();
    /** The request's {@code max_output_tokens}: the reply stops there, incomplete. */
    private final int maxOutputTokens;
    private int outputTokens;
    private boolean truncated;
    private int sequence;

    ResponseGenerator(ResponseRecord record, Reply reply, long delayMillis) {
        this.record = record;
        this.reply = reply;
        this.delayMillis = delayMillis;
        JsonNode limit = record.request.path("max_output_tokens");
        this.maxOutputTokens = limit.isIntegralNumber() && limit.asInt() > 0 ? limit.asInt() : Integer.MAX_VALUE;
    }

    /** Runs to the end, or until the record is cancelled. Returns the output items produced. */
    ArrayNode run() {
        record.setSnapshot(response(record.background ? "queued" : "in_progress", false));
        emit("response.created", Json.obj("response", response(record.background ? "queued" : "in_progress", false)));
        if (record.background) emit("response.queued", Json.obj("response", response("queued", false)));
        emit("response.in_progress", Json.obj("response", response("in_progress", false)));
        if (!reply.tokens().isEmpty() && !message()) return output;
        if (reply.toolCall() != null && !truncated && !functionCall()) return output;
        if (record.cancelled()) return output;
        // Cut at max_output_tokens, OpenAI ends with response.incomplete and the reason, after the item's done events.
        if (truncated) emit("response.incomplete", Json.obj("response", response("incomplete", true)));
        else emit("response.completed", Json.obj("response", response("completed", true)));
        record.finish();
        return output;
    }

    private boolean message() {
        String itemId = Ids.next("msg_");
        int index = output.size();
        emit("response.output_item.added", Json.obj("output_index", index,
                "item", Json.obj("id", itemId, "type", "message", "status", "in_progress", "role", "assistant",
                        "content", Json.arr())));
        emit("response.content_part.added", Json.obj("item_id", itemId, "output_index", index, "content_index", 0,
                "part", textPart("")));
        StringBuilder said = new StringBuilder();
        for (String token : reply.tokens()) {
            if (outputTokens == maxOutputTokens) {
                truncated = true;
                break;
            }
            pause();
            if (record.cancelled()) return false;
            outputTokens++;
            said.append(token);
            emit("response.output_text.delta", Json.obj("item_id", itemId, "output_index", index,
                    "content_index", 0, "delta", token, "logprobs", Json.arr()));
        }
        String text = said.toString();
        emit("response.output_text.done", Json.obj("item_id", itemId, "output_index", index, "content_index", 0,
                "text", text, "logprobs", Json.arr()));
        emit("response.content_part.done", Json.obj("item_id", itemId, "output_index", index, "content_index", 0,
                "part", textPart(text)));
        ObjectNode item = Json.obj("id", itemId, "type", "message", "status", truncated ? "incomplete" : "completed",
                "role", "assistant", "content", Json.arr(textPart(text)));
        output.add(item);
        emit("response.output_item.done", Json.obj("output_index", index, "item", item));
        return true;
    }

    private boolean functionCall() {
        ToolCall call = reply.toolCall();
        String itemId = Ids.next("fc_");
        String callId = Ids.next("call_");
        int index = output.size();
        emit("response.output_item.added", Json.obj("output_index", index, "item", Json.obj("id", itemId,
                "type", "function_call", "status", "in_progress", "arguments", "", "call_id", callId,
                "name", call.name())));
        for (String piece : Reply.argumentPieces(call.arguments())) {
            pause();
            if (record.cancelled()) return false;
            emit("response.function_call_arguments.delta", Json.obj("item_id", itemId, "output_index", index,
                    "delta", piece));
        }
        emit("response.function_call_arguments.done", Json.obj("item_id", itemId, "output_index", index,
                "name", call.name(), "arguments", call.arguments()));
        ObjectNode item = Json.obj("id", itemId, "type", "function_call", "status", "completed",
                "arguments", call.arguments(), "call_id", callId, "name", call.name());
        output.add(item);
        emit("response.output_item.done", Json.obj("output_index", index, "item", item));
        return true;
    }

    private void emit(String type, ObjectNode fields) {
        ObjectNode event = Json.obj("type", type);
        event.setAll(fields);
        event.put("sequence_number", sequence++);
        String frame = "event: " + type + "\ndata: " + Json.write(event) + "\n\n";
        boolean terminal = type.equals("response.completed") || type.equals("response.incomplete");
        record.append(frame, terminal ? (ObjectNode) fields.get("response") : record.snapshot());
    }

    private void pause() {
        Delays.sleep(delayMillis);
    }

    private static ObjectNode textPart(String text) {
        return Json.obj("type", "output_text", "annotations", Json.arr(), "logprobs", Json.arr(), "text", text);
    }

    /** The response object in the shape of the spec's {@code Response} schema, echoing the request's settings. */
    ObjectNode response(String status, boolean withOutput) {
        JsonNode req = record.request;
        ObjectNode usage = null;
        if (withOutput) {
            int produced = truncated ? outputTokens : reply.outputTokens();
            usage = Json.obj("input_tokens", reply.inputTokens(),
                    "input_tokens_details", Json.obj("cached_tokens", 0, "cache_write_tokens", 0),
                    "output_tokens", produced, "output_tokens_details", Json.obj("reasoning_tokens", 0),
                    "total_tokens", reply.inputTokens() + produced);
        }
        ObjectNode response = Json.obj("id", record.id, "object", "response", "created_at", record.createdAt,
                "status", status, "background", record.background, "error", null,
                "incomplete_details", status.equals("incomplete") ? Json.obj("reason", "max_output_tokens") : null,
                "instructions", req.path("instructions").isMissingNode() ? null : req.get("instructions"),
                "max_output_tokens", req.path("max_output_tokens").isMissingNode() ? null : req.get("max_output_tokens"),
                "model", record.model, "output", withOutput ? output : Json.arr(),
                "parallel_tool_calls", req.path("parallel_tool_calls").asBoolean(true),
                "previous_response_id", req.path("previous_response_id").isMissingNode() ? null : req.get("previous_response_id"),
                "reasoning", Json.obj("effort", null, "summary", null),
                "service_tier", "default", "store", req.path("store").asBoolean(true),
                "temperature", req.path("temperature").asDouble(1.0),
                "text", req.has("text") ? req.get("text") : Json.obj("format", Json.obj("type", "text")),
                "tool_choice", req.has("tool_choice") ? req.get("tool_choice") : Json.MAPPER.valueToTree("auto"),
                "tools", tools(req.path("tools")),
                "top_p", req.path("top_p").asDouble(1.0), "truncation", req.path("truncation").asText("disabled"),
                "usage", usage, "user", null,
                "metadata", req.has("metadata") ? req.get("metadata") : Json.obj());
        if (req.has("conversation")) response.set("conversation", Json.obj("id", conversationId(req)));
        return response;
    }

    /** The request's tools as OpenAI echoes them: a function tool with its defaults filled in (strict, description). */
    private static ArrayNode tools(JsonNode requested) {
        ArrayNode tools = Json.arr();
        for (JsonNode tool : requested) {
            if (tool instanceof ObjectNode function && function.path("type").asText().equals("function")) {
                ObjectNode echoed = Json.obj("type", "function", "name", function.path("name").asText(),
                        "description", function.hasNonNull("description") ? function.get("description") : null,
                        "parameters", function.hasNonNull("parameters") ? function.get("parameters") : null,
                        "strict", function.path("strict").asBoolean(true));
                tools.add(echoed);
            } else {
                tools.add(tool);
            }
        }
        return tools;
    }

    static String conversationId(JsonNode request) {
        JsonNode conversation = request.path("conversation");
        return conversation.isTextual() ? conversation.asText() : conversation.path("id").asText(null);
    }
}
