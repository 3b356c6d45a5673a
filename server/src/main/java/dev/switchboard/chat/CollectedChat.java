package dev.switchboard.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;

/** A chat answer gathered whole, for {@code "stream": false}: the {@code chat-completed} object is the body. */
final class CollectedChat implements ChatSink {
    private ObjectNode answer;

    @Override
    public void started(ObjectNode info) {
    }

    @Override
    public void delta(String text) {
    }

    @Override
    public void completed(ObjectNode info) {
        answer = info;
    }

    /** An answer that broke off has no whole body to give: the client gets a 502 saying why. */
    @Override
    public void failed(String code, String message) {
        throw new GatewayException(502, "upstream_error", code, null, message);
    }

    ObjectNode answer() {
        return answer;
    }
}
