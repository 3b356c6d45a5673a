package dev.switchboard.emulator.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Delays;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Reply;
import dev.switchboard.emulator.ToolCall;
import dev.switchboard.emulator.VoiceActivity;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * One model response in a Realtime session, streamed as the GA server events: created, output item and content
 * part, text or audio-with-transcript deltas, the done events, {@code response.done} with usage, then
 * {@code rate_limits.updated}. Cancellable between deltas.
 */
final class RealtimeResponse {
    /** Audio per token: 40 ms of a quiet 440 Hz tone, so clients have real samples to play. */
    private static final int SAMPLES_PER_TOKEN = VoiceActivity.SAMPLE_RATE / 25;

    private final Consumer<ObjectNode> out;
    private final Consumer<String> itemAdded;
    private final Reply reply;
    private final boolean audio;
    private final String voice;
    private final long delayMillis;
    private final String id = Ids.next("resp_");
    private final String itemId = Ids.next("item_");
    /** The response's {@code max_output_tokens}: the answer stops there, incomplete. */
    private final int maxOutputTokens;
    private boolean truncated;
    private volatile boolean cancelled;
    private volatile boolean finished;

    RealtimeResponse(Consumer<ObjectNode> out, Consumer<String> itemAdded, Reply reply, List<String> modalities,
                     String voice, long delayMillis, int maxOutputTokens) {
        this.maxOutputTokens = maxOutputTokens;
        this.out = out;
        this.itemAdded = itemAdded;
        this.reply = reply;
        this.audio = modalities.contains("audio");
        this.voice = voice;
        this.delayMillis = delayMillis;
    }

    void cancel() {
        cancelled = true;
    }

    boolean finished() {
        return finished;
    }

    void run() {
        try {
            out.accept(RealtimeSession.event("response.created", "response", response("in_progress", Json.arr(), null)));
            if (reply.toolCall() != null) {
                callFunction(reply.toolCall());
                return;
            }
            ObjectNode item = Json.obj("id", itemId, "type", "message", "object", "realtime.item", "status", "in_progress",
                    "role", "assistant", "content", Json.arr());
            out.accept(RealtimeSession.event("response.output_item.added", "response_id", id, "output_index", 0, "item", item));
            itemAdded.accept(itemId);
            out.accept(RealtimeSession.event("conversation.item.added", "previous_item_id", null, "item", item));
            out.accept(partEvent("response.content_part.added", emptyPart()));
            StringBuilder said = new StringBuilder();
            int spoken = 0;
            int produced = 0;
            for (String token : reply.tokens()) {
                if (cancelled) break;
                if (produced++ == maxOutputTokens) {
                    truncated = true;
                    break;
                }
                pause();
                if (cancelled) break;
                said.append(token);
                if (audio) {
                    out.accept(deltaEvent("response.output_audio.delta", audioChunk(spoken++)));
                    out.accept(deltaEvent("response.output_audio_transcript.delta", token));
                } else {
                    out.accept(deltaEvent("response.output_text.delta", token));
                }
            }
            finish(said.toString());
        } finally {
            finished = true;
        }
    }

    /** The model calls a function instead of answering: the call's item, its arguments streamed, and the end. */
    private void callFunction(ToolCall call) {
        String callId = Ids.next("call_");
        ObjectNode item = Json.obj("id", itemId, "type", "function_call", "object", "realtime.item", "status", "in_progress",
                "name", call.name(), "call_id", callId, "arguments", "");
        out.accept(RealtimeSession.event("response.output_item.added", "response_id", id, "output_index", 0, "item", item));
        itemAdded.accept(itemId);
        out.accept(RealtimeSession.event("conversation.item.added", "previous_item_id", null, "item", item));
        for (String piece : Reply.argumentPieces(call.arguments())) {
            pause();
            out.accept(RealtimeSession.event("response.function_call_arguments.delta", "response_id", id, "item_id", itemId,
                    "output_index", 0, "call_id", callId, "delta", piece));
        }
        out.accept(RealtimeSession.event("response.function_call_arguments.done", "response_id", id, "item_id", itemId,
                "output_index", 0, "call_id", callId, "name", call.name(), "arguments", call.arguments()));
        ObjectNode done = item.deepCopy().put("status", "completed").put("arguments", call.arguments());
        out.accept(RealtimeSession.event("response.output_item.done", "response_id", id, "output_index", 0, "item", done));
        out.accept(RealtimeSession.event("conversation.item.done", "previous_item_id", null, "item", done));
        // Finished before it is said: a client answering response.done at once may start the next response.
        finished = true;
        out.accept(RealtimeSession.event("response.done", "response", response("completed", Json.arr(done),
                usage(reply.outputTokens()))));
    }

    private void finish(String text) {
        String status = cancelled ? "cancelled" : truncated ? "incomplete" : "completed";
        // The item's content says output_audio/output_text; the content part events say audio/text, as OpenAI sends them.
        ObjectNode part = audio ? Json.obj("type", "output_audio", "transcript", text) : Json.obj("type", "output_text", "text", text);
        ObjectNode partEventPart = audio ? Json.obj("type", "audio", "transcript", text) : Json.obj("type", "text", "text", text);
        if (audio) {
            out.accept(partIndexes(RealtimeSession.event("response.output_audio.done")));
            out.accept(partIndexes(RealtimeSession.event("response.output_audio_transcript.done", "transcript", text)));
        } else {
            out.accept(partIndexes(RealtimeSession.event("response.output_text.done", "text", text)));
        }
        out.accept(partEvent("response.content_part.done", partEventPart));
        ObjectNode item = Json.obj("id", itemId, "type", "message", "object", "realtime.item",
                "status", cancelled || truncated ? "incomplete" : "completed", "role", "assistant", "content", Json.arr(part));
        out.accept(RealtimeSession.event("response.output_item.done", "response_id", id, "output_index", 0, "item", item));
        out.accept(RealtimeSession.event("conversation.item.done", "previous_item_id", null, "item", item));
        int outputTokens = Reply.tokenize(text).size();
        ObjectNode details = cancelled ? Json.obj("type", "cancelled", "reason", "client_cancelled")
                : truncated ? Json.obj("type", "incomplete", "reason", "max_output_tokens") : null;
        finished = true;
        out.accept(RealtimeSession.event("response.done", "response", response(status, Json.arr(item), usage(outputTokens))
                .set("status_details", details == null ? Json.MAPPER.nullNode() : details)));
        out.accept(RealtimeSession.event("rate_limits.updated", "rate_limits", Json.arr(
                Json.obj("name", "requests", "limit", 5000, "remaining", 4999, "reset_seconds", 0.012),
                Json.obj("name", "tokens", "limit", 40000, "remaining", 40000 - reply.inputTokens() - outputTokens,
                        "reset_seconds", 0.5))));
    }

    private ObjectNode response(String status, Object output, Object usage) {
        return Json.obj("object", "realtime.response", "id", id, "status", status, "status_details", null,
                "output", output, "conversation_id", "conv_emulator",
                "output_modalities", Json.arr(audio ? "audio" : "text"),
                "max_output_tokens", maxOutputTokens == Integer.MAX_VALUE ? "inf" : (Object) maxOutputTokens,
                "audio", Json.obj("output", Json.obj("format", Json.obj("type", "audio/pcm", "rate", VoiceActivity.SAMPLE_RATE),
                        "voice", voice)),
                "usage", usage, "metadata", null);
    }

    private ObjectNode usage(int outputTokens) {
        int audioTokens = audio ? outputTokens * 2 : 0;
        int textTokens = outputTokens;
        int input = reply.inputTokens();
        return Json.obj("total_tokens", input + textTokens + audioTokens, "input_tokens", input,
                "output_tokens", textTokens + audioTokens,
                "input_token_details", Json.obj("text_tokens", input, "audio_tokens", 0, "image_tokens", 0,
                        "cached_tokens", 0, "cached_tokens_details", Json.obj("text_tokens", 0, "audio_tokens", 0, "image_tokens", 0)),
                "output_token_details", Json.obj("text_tokens", textTokens, "audio_tokens", audioTokens));
    }

    private ObjectNode emptyPart() {
        return audio ? Json.obj("type", "audio", "transcript", "") : Json.obj("type", "text", "text", "");
    }

    private ObjectNode partEvent(String type, ObjectNode part) {
        return partIndexes(RealtimeSession.event(type)).set("part", part);
    }

    private ObjectNode deltaEvent(String type, String delta) {
        return partIndexes(RealtimeSession.event(type)).put("delta", delta);
    }

    private ObjectNode partIndexes(ObjectNode event) {
        return event.put("response_id", id).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
    }

    private void pause() {
        if (!Delays.sleep(delayMillis)) cancelled = true;
    }

    /** A tone whose phase continues from the samples already sent, so the chunks join without clicks. */
    private static String audioChunk(int tokenIndex) {
        byte[] pcm = new byte[SAMPLES_PER_TOKEN * 2];
        for (int i = 0; i < SAMPLES_PER_TOKEN; i++) {
            long n = (long) tokenIndex * SAMPLES_PER_TOKEN + i;
            short sample = (short) (3000 * Math.sin(2 * Math.PI * 440 * n / VoiceActivity.SAMPLE_RATE));
            pcm[2 * i] = (byte) sample;
            pcm[2 * i + 1] = (byte) (sample >> 8);
        }
        return Base64.getEncoder().encodeToString(pcm);
    }
}
