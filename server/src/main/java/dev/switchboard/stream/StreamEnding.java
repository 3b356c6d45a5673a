package dev.switchboard.stream;

import java.util.List;

/**
 * How the gateway ends one API's stream with an error in that API's own shape when the stream cannot end by
 * itself, because the instance writing it is gone. The client's SDK then reports an error instead of waiting.
 */
@FunctionalInterface
public interface StreamEnding {
    /**
     * The events that end the stream, in order; none when {@code last} has ended it already.
     *
     * @param code    machine-readable reason
     * @param message what happened and what to do
     * @param last    the stream's last logged event, or null when it has none
     */
    List<byte[]> closingEvents(String code, String message, SseFrame last);
}
