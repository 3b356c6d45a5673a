package dev.switchboard.emulator.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.EventStream;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Observations;
import dev.switchboard.emulator.Replay;
import dev.switchboard.emulator.Reply;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.Script;
import dev.switchboard.emulator.ScriptBook;
import dev.switchboard.emulator.StallGate;
import dev.switchboard.emulator.ToolChoice;
import dev.switchboard.emulator.models.ModelsApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;

/** {@code POST /v1/chat/completions}, streamed and not, with {@code include_usage} and tool calls. */
public final class ChatCompletionsApi {
    private final ScriptBook scripts;
    private final StallGate stalls;
    private final Observations observations;
    private final StoredCompletions stored = new StoredCompletions();

    public ChatCompletionsApi(ScriptBook scripts, StallGate stalls, Observations observations) {
        this.scripts = scripts;
        this.stalls = stalls;
        this.observations = observations;
    }

    /** Registers POST /v1/chat/completions and the stored completions' routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/chat/completions", this::create);
        stored.register(routes);
    }

    void create(Context ctx) throws IOException {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.path("messages").isArray()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "missing_required_parameter",
                    "Missing required parameter: 'messages'.");
            return;
        }
        String requestedModel = body.path("model").asText(null);
        if (requestedModel == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "missing_required_parameter",
                    "Missing required parameter: 'model'.");
            return;
        }
        if (!scripts.knows(ctx, requestedModel)) {
            ModelsApi.notFound(ctx, requestedModel);
            return;
        }
        Script script = scripts.forRequest(ctx, requestedModel);
        if (script.failStatus() != null && scripts.failures().fails(requestedModel)) {
            ApiErrors.scripted(ctx, script);
            return;
        }
        Reply reply = plan(script, body.get("messages"), ToolChoice.read(body.get("tool_choice"), body.get("tools")));
        // max_completion_tokens (or the older max_tokens) cuts the reply there, as OpenAI does: finish_reason "length".
        JsonNode limit = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.path("max_tokens");
        boolean cut = limit.isIntegralNumber() && limit.asInt() >= 0 && reply.toolCall() == null && reply.tokens().size() > limit.asInt();
        if (cut) reply = new Reply(reply.tokens().subList(0, limit.asInt()), null, reply.inputTokens());
        String finishReason = cut ? "length" : reply.toolCall() == null ? "stop" : "tool_calls";
        String model = Script.baseModel(requestedModel);
        boolean stream = body.path("stream").asBoolean(false);
        String id = Ids.next("chatcmpl-");
        ObjectNode answer = completion(id, model, reply, finishReason);
        // OpenAI keeps a completion made with store: true, streamed or not, under the id its client saw.
        if (body.path("store").asBoolean(false)) stored.store(answer, body);
        if (!stream) {
            ctx.contentType("application/json").result(Json.write(answer));
            return;
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        EventStream events = EventStream.open(ctx, script, stalls);
        if (script.replay() != null) {
            Replay.frames(Files.readAllBytes(script.replay()), events);
            return;
        }
        try {
            new ChunkWriter(events, id, Ids.nowSeconds(), model, includeUsage, script.stamp()).write(reply, finishReason);
        } catch (IOException clientGone) {
            if (script.dropAfter() == null) observations.clientCancelled(id);
        }
    }

    private static Reply plan(Script script, JsonNode messages, ToolChoice choice) {
        String lastUser = null;
        String toolOutput = null;
        int inputTokens = 0;
        for (JsonNode message : messages) {
            String text = contentText(message.path("content"));
            inputTokens += Reply.countWords(text) + 3;
            if ("user".equals(message.path("role").asText())) lastUser = text;
        }
        JsonNode last = messages.size() == 0 ? null : messages.get(messages.size() - 1);
        if (last != null && "tool".equals(last.path("role").asText()) && !choice.forced()) {
            toolOutput = contentText(last.path("content"));
        }
        return Reply.plan(choice.apply(script, lastUser), lastUser, toolOutput, Math.max(1, inputTokens));
    }

    public static String contentText(JsonNode content) {
        if (content.isTextual()) return content.asText();
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.has("text")) text.append(text.isEmpty() ? "" : " ").append(part.get("text").asText());
        }
        return text.toString();
    }

    private static ObjectNode completion(String id, String model, Reply reply, String finishReason) {
        ObjectNode message = Json.obj("role", "assistant", "content", reply.toolCall() == null ? reply.text() : null,
                "refusal", null, "annotations", Json.arr());
        if (reply.toolCall() != null) {
            message.set("tool_calls", Json.arr(Json.obj("id", Ids.next("call_"), "type", "function",
                    "function", Json.obj("name", reply.toolCall().name(), "arguments", reply.toolCall().arguments()))));
        }
        return Json.obj("id", id, "object", "chat.completion", "created", Ids.nowSeconds(),
                "model", model,
                "choices", Json.arr(Json.obj("index", 0, "message", message, "logprobs", null,
                        "finish_reason", finishReason)),
                "usage", usage(reply), "service_tier", "default", "system_fingerprint", "fp_emulator");
    }

    static ObjectNode usage(Reply reply) {
        return Json.obj("prompt_tokens", reply.inputTokens(), "completion_tokens", reply.outputTokens(),
                "total_tokens", reply.inputTokens() + reply.outputTokens(),
                "prompt_tokens_details", Json.obj("cached_tokens", 0, "audio_tokens", 0),
                "completion_tokens_details", Json.obj("reasoning_tokens", 0, "audio_tokens", 0,
                        "accepted_prediction_tokens", 0, "rejected_prediction_tokens", 0));
    }

    /** Writes {@code chat.completion.chunk} frames in the order and shape the real API uses. */
    private record ChunkWriter(EventStream events, String id, long created, String model, boolean includeUsage,
                               boolean stamp) {
        void write(Reply reply, String finishReason) throws IOException {
            send(Json.obj("role", "assistant", "content", "", "refusal", null), null, false);
            for (String token : reply.tokens()) {
                if (stamp) {
                    events.pause();
                    send(Json.obj("content", nowMicros() + " "), null, false);
                } else {
                    send(Json.obj("content", token), null, true);
                }
            }
            if (reply.toolCall() != null) {
                send(Json.obj("tool_calls", Json.arr(Json.obj("index", 0, "id", Ids.next("call_"), "type", "function",
                        "function", Json.obj("name", reply.toolCall().name(), "arguments", "")))), null, false);
                for (String piece : Reply.argumentPieces(reply.toolCall().arguments())) {
                    send(Json.obj("tool_calls", Json.arr(Json.obj("index", 0, "function", Json.obj("arguments", piece)))),
                            null, true);
                }
            }
            send(Json.obj(), finishReason, false);
            if (includeUsage) {
                ObjectNode chunk = base();
                chunk.set("choices", Json.arr());
                chunk.set("usage", usage(reply));
                events.send(null, Json.write(chunk), false);
            }
            events.send(null, "[DONE]", false);
        }

        private void send(ObjectNode delta, String finishReason, boolean isToken) throws IOException {
            ObjectNode chunk = base();
            chunk.set("choices", Json.arr(Json.obj("index", 0, "delta", delta, "logprobs", null,
                    "finish_reason", finishReason)));
            events.send(null, Json.write(chunk), isToken);
        }

        private static long nowMicros() {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        }

        private ObjectNode base() {
            return Json.obj("id", id, "object", "chat.completion.chunk", "created", created, "model", model,
                    "service_tier", "default", "system_fingerprint", "fp_emulator");
        }
    }
}
