package dev.switchboard.stream;

import java.util.List;
import java.util.function.Consumer;

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

    /**
     * Called once, on the instance that ended the stream, after its closing events are logged: a run's own records
     * (its status) can be ended there too.
     */
    default void ended(StreamMeta meta) {}

    /** This ending, which also runs {@code onEnded} once its events are logged. */
    default StreamEnding whenEnded(Consumer<StreamMeta> onEnded) {
        StreamEnding events = this;
        return new StreamEnding() {
            @Override
            public List<byte[]> closingEvents(String code, String message, SseFrame last) {
                return events.closingEvents(code, message, last);
            }

            @Override
            public void ended(StreamMeta meta) {
                events.ended(meta);
                onEnded.accept(meta);
            }
        };
    }
}
