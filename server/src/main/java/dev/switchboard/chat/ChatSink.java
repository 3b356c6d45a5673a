package dev.switchboard.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.stream.ClientGoneException;

/**
 * Where a chat answer goes as it is made: an event stream, or one JSON body. Nothing reaches the client before the
 * first {@link #started}, so a call that fails before any text can still be answered with an HTTP error.
 */
interface ChatSink {
    /** The answer begins; {@code info} names the model and the mode answering. */
    void started(ObjectNode info) throws ClientGoneException;

    void delta(String text) throws ClientGoneException;

    /** The answer is complete; {@code info} holds the text, the usage, the mode and any fallback. */
    void completed(ObjectNode info) throws ClientGoneException;

    /** The answer broke off after it began. */
    void failed(String code, String message) throws ClientGoneException;
}
