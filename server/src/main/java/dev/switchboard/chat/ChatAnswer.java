package dev.switchboard.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.web.Json;

/**
 * One chat call's answer as it is made: who is answering (model and mode, and the fallback that led there), and
 * the text so far. The answer is announced to the client only with its first text, so a mode that fails before
 * any text can hand over to another without the client seeing it start twice.
 */
final class ChatAnswer {
    /** The two ways a chat is answered. */
    enum Mode {
        REALTIME("realtime", "Realtime WebSocket"), REST("rest", "REST");

        final String wire;
        final String apiType;

        Mode(String wire, String apiType) {
            this.wire = wire;
            this.apiType = apiType;
        }
    }

    private final String id;
    private final ChatSink sink;
    private final StringBuilder text = new StringBuilder();
    private String model;
    private Mode mode;
    private ObjectNode fallback;
    private boolean announced;
    private boolean clientGone;

    ChatAnswer(String id, ChatSink sink) {
        this.id = id;
        this.sink = sink;
    }

    /** Who answers from now on. */
    void answeredBy(String model, Mode mode) {
        this.model = model;
        this.mode = mode;
    }

    /** The previous mode could not answer: why, for the client and the logs. */
    void fellBack(String from, String reason) {
        fallback = Json.object().put("from", from).put("reason", reason);
    }

    void delta(String piece) throws ClientGoneException {
        if (piece == null || piece.isEmpty()) return;
        try {
            announce();
            sink.delta(piece);
            text.append(piece);
        } catch (ClientGoneException e) {
            clientGone = true;
            throw e;
        }
    }

    boolean hasText() {
        return !text.isEmpty();
    }

    boolean clientGone() {
        return clientGone;
    }

    void complete(ObjectNode usage, String finishReason) throws ClientGoneException {
        announce();
        ObjectNode done = info().put("text", text.toString()).put("finish_reason", finishReason);
        done.set("usage", usage);
        sink.completed(done);
    }

    /** The answer broke off after its first text. */
    void fail(String code, String message) throws ClientGoneException {
        announce();
        sink.failed(code, message);
    }

    private void announce() throws ClientGoneException {
        if (announced) return;
        announced = true;
        sink.started(info());
    }

    private ObjectNode info() {
        ObjectNode info = Json.object().put("id", id).put("object", "switchboard.chat").put("model", model)
                .put("mode", mode.wire).put("api_type", mode.apiType);
        info.set("fallback", fallback == null ? Json.MAPPER.nullNode() : fallback);
        return info;
    }
}
