package dev.switchboard.stream;

import java.time.Duration;
import java.util.Optional;

/**
 * Append-only event logs, one per relayed stream, with replay and live tail: a client that attaches late or
 * reconnects reads every event after the one it last saw, then follows the stream live, with no gap and no
 * duplicate. Finished streams stay readable for a retention period, then are forgotten.
 *
 * <p>{@link #append} is on the relay's hot path: implementations must not block on anything slow.
 */
public interface EventLog extends AutoCloseable {

    /** Starts a stream's log. */
    void create(StreamMeta meta);

    /** Appends an event; returns its sequence number, counting from 0. */
    long append(String streamId, byte[] frame);

    /** Marks the stream complete: readers get {@link LoggedEvent#END} after its last event. */
    void finish(String streamId);

    /** The stream's description while its log is kept. */
    Optional<StreamMeta> find(String streamId);

    /** True when the stream existed but its retention has passed. */
    boolean expired(String streamId);

    /** A reader positioned after event {@code after} (-1 for the start). The stream must exist. */
    Cursor read(String streamId, long after);

    @Override
    void close();

    /** Reads one stream's events in order. One thread at a time. */
    interface Cursor extends AutoCloseable {
        /**
         * The next event, waiting up to {@code wait} for it; null when none came in time; {@link LoggedEvent#END}
         * when the stream has finished and everything has been read.
         */
        LoggedEvent next(Duration wait) throws InterruptedException;

        @Override
        default void close() {}
    }
}
