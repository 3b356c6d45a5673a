package dev.switchboard.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How one upstream attempt at a chat answer ended.
 *
 * @param status HTTP-like status of a failure (the upstream's, or 502/504 for the gateway's view of it)
 */
record TurnEnd(Kind kind, int status, String code, String message, ObjectNode usage, String finishReason) {
    enum Kind {
        COMPLETED,
        /** failed before any text reached the client: another mode may still answer */
        FAILED_BEFORE_TEXT,
        /** failed after text reached the client: answering again would repeat it */
        FAILED_AFTER_TEXT,
        CLIENT_GONE
    }

    static TurnEnd completed(ObjectNode usage, String finishReason) {
        return new TurnEnd(Kind.COMPLETED, 200, null, null, usage, finishReason);
    }

    static TurnEnd failed(ChatAnswer answer, int status, String code, String message) {
        if (answer.clientGone()) return new TurnEnd(Kind.CLIENT_GONE, 499, "client_gone", "the client went away", null, null);
        return new TurnEnd(answer.hasText() ? Kind.FAILED_AFTER_TEXT : Kind.FAILED_BEFORE_TEXT, status, code, message, null, null);
    }
}
