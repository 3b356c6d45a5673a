package dev.switchboard.emulator.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Reply;
import dev.switchboard.emulator.Script;
import dev.switchboard.emulator.ToolChoice;
import dev.switchboard.emulator.VoiceActivity;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One Realtime API session (GA interface): its configuration, its conversation, its input audio buffer and the
 * response being generated. Transport-free: it reads client events as JSON text and writes server events to a
 * {@link RealtimeTransport}, so a WebSocket and a WebRTC data channel can carry the same session.
 */
final class RealtimeSession {
    static final long MAX_SESSION_SECONDS = 3600;

    private static final long DROP_DELAY_MILLIS = 100;
    private static final Runnable NOTHING = () -> { };
    private final RealtimeTransport transport;
    private int sent;
    /** Events handed to the transport and not yet written out: they pile up while the peer does not read. */
    private final java.util.concurrent.atomic.AtomicLong unwritten = new java.util.concurrent.atomic.AtomicLong();
    private final ObjectNode config;
    private final Script script;
    private final List<String> itemIds = new ArrayList<>();
    private final VoiceActivity voice = new VoiceActivity();
    private final java.io.ByteArrayOutputStream audioBuffer = new java.io.ByteArrayOutputStream();
    private String lastUserText;
    /** Words in the conversation's text items, which the model reads as input on every response. */
    private int conversationWords;
    /** The output of the function the model called, until the response that reads it. */
    private String pendingToolOutput;
    private String speechItemId;
    private volatile RealtimeResponse activeResponse;

    /**
     * A session with the given configuration, as {@link #defaultConfig} makes it or a client secret fixed it.
     * A script's {@code drop_after} breaks the connection without a close frame after so many server events, to
     * test how clients and relays take a connection lost mid-session.
     */
    RealtimeSession(ObjectNode config, Script script, RealtimeTransport transport) {
        this.transport = transport;
        this.script = script;
        this.config = config;
    }

    /** Server events not yet written to the peer: how far a peer that stopped reading has fallen behind. */
    long unwrittenEvents() {
        return unwritten.get();
    }

    /** The first event of every session. */
    void open() {
        send(event("session.created", "session", config));
    }

    /** One client event; synchronized because a WebRTC call takes them from its data channel and its sidebands at once. */
    synchronized void onClientEvent(String text) {
        JsonNode event;
        try {
            event = Json.parse(text);
        } catch (java.io.IOException e) {
            sendError(null, "invalid_json", null, "The event is not valid JSON; send one JSON object per message.");
            return;
        }
        if (!event.isObject()) {
            sendError(null, "invalid_json", null, "An event must be a JSON object.");
            return;
        }
        String clientEventId = event.path("event_id").isTextual() ? event.path("event_id").asText() : null;
        String type = event.path("type").asText("");
        switch (type) {
            case "session.update" -> updateSession(event, clientEventId);
            case "conversation.item.create" -> createItem(event, clientEventId);
            case "response.create" -> createResponse(event.path("response"), clientEventId);
            case "response.cancel" -> cancelResponse(clientEventId);
            case "input_audio_buffer.append" -> appendAudio(event, clientEventId);
            case "input_audio_buffer.commit" -> commitAudio(clientEventId, true);
            case "input_audio_buffer.clear" -> {
                audioBuffer.reset();
                send(event("input_audio_buffer.cleared"));
            }
            case "" -> sendError(clientEventId, "missing_required_parameter", "type", "Missing required parameter: 'type'.");
            default -> sendError(clientEventId, "invalid_value", "type", "Invalid value: '" + type + "'. Supported values are: "
                    + "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', "
                    + "'conversation.item.create', 'response.create', and 'response.cancel'.");
        }
    }

    /** The client went away: a response in progress stops. */
    void close() {
        RealtimeResponse response = activeResponse;
        if (response != null) response.cancel();
    }

    private void updateSession(JsonNode event, String clientEventId) {
        JsonNode update = event.path("session");
        if (!update.isObject()) {
            sendError(clientEventId, "missing_required_parameter", "session", "Missing required parameter: 'session'.");
            return;
        }
        String type = update.path("type").asText("");
        if (type.isEmpty()) {
            sendError(clientEventId, "missing_required_parameter", "session.type", "Missing required parameter: 'session.type'.");
            return;
        }
        if (!type.equals("realtime")) {
            sendError(clientEventId, "invalid_value", "session.type",
                    "Invalid value: '" + type + "'. This session is a 'realtime' session; its type cannot change.");
            return;
        }
        JsonNode modalities = update.path("output_modalities");
        if (!modalities.isMissingNode() && !validModalities(modalities)) {
            sendError(clientEventId, "invalid_value", "session.output_modalities",
                    "Invalid value for 'session.output_modalities': use [\"text\"] or [\"audio\"].");
            return;
        }
        synchronized (config) {
            merge(config, (ObjectNode) update);
        }
        send(event("session.updated", "session", config));
    }

    private void createItem(JsonNode event, String clientEventId) {
        JsonNode item = event.path("item");
        if (!item.isObject() || item.path("type").asText("").isEmpty()) {
            sendError(clientEventId, "missing_required_parameter", "item.type", "Missing required parameter: 'item.type'.");
            return;
        }
        if (item.path("type").asText().equals("message") && (!item.path("content").isArray() || item.get("content").isEmpty())) {
            sendError(clientEventId, "missing_required_parameter", "item.content",
                    "Missing required parameter: 'item.content'. A message item needs at least one content part.");
            return;
        }
        ObjectNode stored = item.deepCopy();
        if (!stored.hasNonNull("id")) stored.put("id", Ids.next("item_"));
        stored.put("object", "realtime.item");
        stored.put("status", "completed");
        if (stored.path("type").asText().equals("function_call_output")) pendingToolOutput = stored.path("output").asText();
        for (JsonNode part : stored.path("content")) conversationWords += Reply.countWords(part.path("text").asText(""));
        if (stored.path("role").asText().equals("user")) {
            for (JsonNode part : stored.path("content")) {
                if (part.path("type").asText().equals("input_text")) lastUserText = part.path("text").asText();
            }
        }
        addItem(stored);
    }

    private void addItem(ObjectNode item) {
        String previous;
        synchronized (itemIds) {
            previous = itemIds.isEmpty() ? null : itemIds.getLast();
            itemIds.add(item.path("id").asText());
        }
        send(event("conversation.item.added", "previous_item_id", previous, "item", item));
        send(event("conversation.item.done", "previous_item_id", previous, "item", item));
    }

    private void createResponse(JsonNode request, String clientEventId) {
        if (activeResponse != null && !activeResponse.finished()) {
            sendError(clientEventId, "conversation_already_has_active_response", null,
                    "Conversation already has an active response in progress. Wait until the response is finished "
                            + "before creating a new one.");
            return;
        }
        List<String> modalities = modalities(request.path("output_modalities").isArray()
                ? request.path("output_modalities") : config.path("output_modalities"));
        String voiceName = config.path("audio").path("output").path("voice").asText("alloy");
        ToolChoice choice;
        synchronized (config) {
            choice = ToolChoice.read(request.has("tool_choice") ? request.get("tool_choice") : config.get("tool_choice"),
                    request.has("tools") ? request.get("tools") : config.get("tools"));
        }
        Reply reply = Reply.plan(choice.apply(script, lastUserText), lastUserText, choice.forced() ? null : pendingToolOutput, inputTokens());
        JsonNode limit = request.has("max_output_tokens") ? request.get("max_output_tokens") : config.path("max_output_tokens");
        int maxOutputTokens = limit.isIntegralNumber() && limit.asInt() > 0 ? limit.asInt() : Integer.MAX_VALUE;
        pendingToolOutput = null;
        RealtimeResponse response = new RealtimeResponse(this::send, this::addItemId, reply, modalities, voiceName,
                script.delayMillis(), maxOutputTokens);
        activeResponse = response;
        Thread.ofVirtual().name("emulator-realtime-response").start(response::run);
    }

    private void cancelResponse(String clientEventId) {
        RealtimeResponse response = activeResponse;
        if (response == null || response.finished()) {
            sendError(clientEventId, "response_cancel_not_active", null,
                    "Cancellation failed: no active response found.");
            return;
        }
        response.cancel();
    }

    private void appendAudio(JsonNode event, String clientEventId) {
        byte[] pcm;
        try {
            pcm = Base64.getDecoder().decode(event.path("audio").asText(""));
        } catch (IllegalArgumentException e) {
            sendError(clientEventId, "invalid_value", "audio", "Invalid 'audio': it must be base64-encoded PCM16 audio.");
            return;
        }
        appendInputAudio(pcm);
    }

    /** Input audio, 24 kHz mono PCM16: from {@code input_audio_buffer.append}, or a WebRTC call's microphone. */
    synchronized void appendInputAudio(byte[] pcm) {
        audioBuffer.writeBytes(pcm);
        if (!serverVad()) return;
        switch (voice.feed(pcm)) {
            case SPEECH_STARTED -> {
                speechItemId = Ids.next("item_");
                send(event("input_audio_buffer.speech_started", "audio_start_ms", voice.speechStartMs(), "item_id", speechItemId));
            }
            case SPEECH_STOPPED -> {
                send(event("input_audio_buffer.speech_stopped", "audio_end_ms", voice.speechEndMs(), "item_id", speechItemId));
                commitAudio(null, false);
                if (config.path("audio").path("input").path("turn_detection").path("create_response").asBoolean(true)) {
                    createResponse(Json.obj(), null);
                }
            }
            case NONE -> { }
        }
    }

    private void commitAudio(String clientEventId, boolean byClient) {
        int bytes = audioBuffer.size();
        if (byClient && bytes < VoiceActivity.SAMPLE_RATE * 2 / 10) {
            sendError(clientEventId, "input_audio_buffer_commit_empty", null, "Error committing input audio buffer: "
                    + "buffer too small. Expected at least 100ms of audio, but buffer only has "
                    + (bytes * 1000L / (VoiceActivity.SAMPLE_RATE * 2)) + "ms of audio.");
            return;
        }
        String itemId = speechItemId != null && !byClient ? speechItemId : Ids.next("item_");
        long audioMs = bytes * 1000L / (VoiceActivity.SAMPLE_RATE * 2);
        audioBuffer.reset();
        speechItemId = null;
        String previous;
        synchronized (itemIds) {
            previous = itemIds.isEmpty() ? null : itemIds.getLast();
        }
        send(event("input_audio_buffer.committed", "previous_item_id", previous, "item_id", itemId));
        String transcript = "Spoken audio of " + audioMs + " ms.";
        addItem(Json.obj("id", itemId, "type", "message", "object", "realtime.item", "status", "completed", "role", "user",
                "content", Json.arr(Json.obj("type", "input_audio"))));
        lastUserText = transcript;
        conversationWords += Reply.countWords(transcript);
        if (config.path("audio").path("input").path("transcription").isObject()) {
            send(event("conversation.item.input_audio_transcription.completed", "item_id", itemId, "content_index", 0,
                    "transcript", transcript, "usage", Json.obj("type", "duration", "seconds", Math.max(1, audioMs / 1000))));
        }
    }

    private void addItemId(String itemId) {
        synchronized (itemIds) {
            itemIds.add(itemId);
        }
    }

    private boolean serverVad() {
        JsonNode detection = config.path("audio").path("input").path("turn_detection");
        return detection.isObject() && detection.path("type").asText().equals("server_vad");
    }

    private int inputTokens() {
        return Math.max(1, Reply.countWords(config.path("instructions").asText("")) + conversationWords);
    }

    private void sendError(String clientEventId, String code, String param, String message) {
        send(event("error", "error", Json.obj("type", "invalid_request_error", "code", code, "message", message,
                "param", param, "event_id", clientEventId)));
    }

    private void send(ObjectNode event) {
        String text = Json.write(event);
        synchronized (transport) {
            if (script.dropAfter() != null && sent >= script.dropAfter()) return; // breaking: nothing more goes out
            boolean last = script.dropAfter() != null && ++sent == script.dropAfter();
            Runnable afterWritten = last ? this::dropSoon : NOTHING;
            unwritten.incrementAndGet();
            transport.send(text, () -> {
                unwritten.decrementAndGet();
                afterWritten.run();
            });
        }
    }

    /**
     * Breaks the connection a moment after the last event was written: an abrupt close can make the peer's system
     * discard what it had received but not yet read, and the client must get all drop_after events first.
     */
    private void dropSoon() {
        Thread.ofVirtual().name("realtime-drop").start(() -> {
            try {
                Thread.sleep(DROP_DELAY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            transport.drop();
        });
    }

    /** A server event: {@code event_id} and {@code type} first, as in OpenAI's examples. */
    static ObjectNode event(String type, Object... fields) {
        ObjectNode event = Json.obj("event_id", Ids.next("event_"), "type", type);
        event.setAll(Json.obj(fields));
        return event;
    }

    private static boolean validModalities(JsonNode modalities) {
        if (!modalities.isArray() || modalities.size() != 1) return false;
        String only = modalities.get(0).asText();
        return only.equals("text") || only.equals("audio");
    }

    private static List<String> modalities(JsonNode node) {
        List<String> list = new ArrayList<>();
        node.forEach(m -> list.add(m.asText()));
        return list.isEmpty() ? List.of("audio") : list;
    }

    static void merge(ObjectNode target, ObjectNode update) {
        update.properties().forEach(entry -> {
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode existingObject && entry.getValue() instanceof ObjectNode updateObject) {
                merge(existingObject, updateObject);
            } else {
                target.set(entry.getKey(), entry.getValue());
            }
        });
    }

    static ObjectNode defaultConfig(String model) {
        ObjectNode pcm = Json.obj("type", "audio/pcm", "rate", VoiceActivity.SAMPLE_RATE);
        return Json.obj(
                "type", "realtime",
                "object", "realtime.session",
                "id", Ids.next("sess_"),
                "model", model,
                "output_modalities", Json.arr("audio"),
                "instructions", "You are a helpful assistant.",
                "tools", Json.arr(),
                "tool_choice", "auto",
                "max_output_tokens", "inf",
                "tracing", null,
                "prompt", null,
                "expires_at", Ids.nowSeconds() + MAX_SESSION_SECONDS,
                "audio", Json.obj(
                        "input", Json.obj("format", pcm, "transcription", null, "noise_reduction", null,
                                "turn_detection", Json.obj("type", "server_vad", "threshold", 0.5, "prefix_padding_ms", 300,
                                        "silence_duration_ms", VoiceActivity.SILENCE_MS, "idle_timeout_ms", null,
                                        "create_response", true, "interrupt_response", true)),
                        "output", Json.obj("format", pcm.deepCopy(), "voice", "alloy", "speed", 1.0)),
                "include", null);
    }
}
