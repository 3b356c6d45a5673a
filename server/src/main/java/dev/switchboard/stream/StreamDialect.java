package dev.switchboard.stream;

import dev.switchboard.observe.Usage;
import java.util.List;

/**
 * What the relay must know of one API's event stream: which event ends it, where its token usage is, and how to
 * end it with an error in that API's own shape when upstream fails mid-stream, so that the client's SDK reports
 * an error instead of hanging or mistaking a cut stream for a complete one.
 */
public interface StreamDialect {
    /** True for the event after which the stream is complete. */
    boolean isTerminal(SseFrame frame);

    /**
     * True for streams that name no terminal event: upstream closing the stream after a whole event completes it
     * (an event cut off by the close, a stall or a failure still breaks it).
     */
    default boolean completeAtClose() {
        return false;
    }

    /** The usage this event carries, or null. Called for every event with data: look before parsing. */
    Usage usage(SseFrame frame);

    /**
     * The answer object of the event that carried usage (the last chunk, the response of {@code response.completed}),
     * for its {@code model} and {@code id}; null when the event has none. Called once, for that event only.
     */
    default com.fasterxml.jackson.databind.JsonNode answer(SseFrame frame) {
        return null;
    }

    /**
     * Sees each event with data before it is logged or written to any client, on the relay's thread, so that a
     * route can act on what the stream creates (record the id of the response it starts) before the client can
     * use it. Must not throw.
     */
    default void beforeRelay(SseFrame frame) {}

    /**
     * True when {@link #beforeRelay} or {@link #usage} may wait on I/O for this event (a database write): the relay
     * then handles it on a thread of its own rather than on the I/O thread that read it. Called for every event with
     * data: look before parsing.
     */
    default boolean mayBlock(SseFrame frame) {
        return false;
    }

    /** True for an event that carries nothing but usage (dropped when the gateway asked for usage itself). */
    default boolean isUsageOnly(SseFrame frame) {
        return false;
    }

    /**
     * A complete SSE event (bytes, ending with a blank line) reporting a failure.
     *
     * @param code      machine-readable reason, such as {@code upstream_disconnected}
     * @param message   what happened and what to do
     * @param lastFrame the last event relayed, or null; lets a dialect continue sequence numbers
     */
    byte[] errorFrame(String code, String message, SseFrame lastFrame);

    /** This API's ending for a stream whose writer is gone: the error event, unless the stream had ended. */
    default StreamEnding ending() {
        return (code, message, last) -> last != null && last.hasData() && isTerminal(last) ? List.of()
                : List.of(errorFrame(code, message, last));
    }
}
