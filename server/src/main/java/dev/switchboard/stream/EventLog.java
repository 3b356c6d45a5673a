package dev.switchboard.stream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Append-only event logs, one per relayed stream, with replay and live tail: a client that attaches late or
 * reconnects reads every event after the one it last saw, then follows the stream live, with no gap and no
 * duplicate. Finished streams stay readable for a retention period, then are forgotten.
 *
 * <p>{@link #append} is on the relay's hot path, on an I/O thread: implementations must never block. A shared log
 * says when its store has acknowledged an event (bounded), so that no client holds an event the log lacks.
 */
public interface EventLog extends AutoCloseable {

    /** Starts a stream's log. */
    void create(StreamMeta meta);

    /**
     * Appends an event; returns its sequence number, counting from the stream's {@link StreamMeta#firstSeq}.
     * {@code stored} runs once the event is stored as far as the log promises readers on other instances (at once for
     * a log of this instance alone), or once waiting for that has been given up: on some thread, perhaps this one
     * before append returns. The relay writes the event to its client only then, and no thread waits meanwhile.
     */
    long append(String streamId, byte[] frame, Runnable stored);

    /** Appends an event and waits until it is stored ({@link #append(String, byte[], Runnable)}). */
    default long append(String streamId, byte[] frame) {
        java.util.concurrent.CountDownLatch stored = new java.util.concurrent.CountDownLatch(1);
        long seq = append(streamId, frame, stored::countDown);
        try {
            stored.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return seq;
    }

    /** Marks the stream complete: readers get {@link LoggedEvent#END} after its last event. */
    void finish(String streamId);

    /** The stream's description while its log is kept. */
    Optional<StreamMeta> find(String streamId);

    /** True when the stream existed but its retention has passed. */
    boolean expired(String streamId);

    /**
     * The sequence number of the last event logged so far (the stream may be live and log more); one less than its
     * first event's when it has none. A reader can only have been given ids up to this one.
     */
    long lastSeq(String streamId);

    /** A reader positioned after event {@code after} (-1 for the start). The stream must exist. */
    Cursor read(String streamId, long after);

    /**
     * True when the stream is unfinished and the instance writing it is known to be gone (killed, or cut off from
     * the log for longer than its liveness lease): no more events will come. Always false for a log that only
     * this process writes.
     */
    default boolean writerGone(String streamId) {
        return false;
    }

    /**
     * Takes over a stream whose writer is gone, so that this instance may continue or end it: it becomes the stream's
     * writer. Exactly one caller among all instances wins; it gets the last event logged ({@code seq} -1 and no bytes
     * when there is none) and may then {@link #append} and {@link #finish}. Everyone else gets null. Should the
     * winner go too before it finishes the stream, the stream can be adopted again.
     */
    default LoggedEvent adopt(String streamId) {
        return null;
    }

    /**
     * True when other instances read this log and adopt what this one leaves unfinished: a stream that keeps running
     * upstream can then be left to them rather than ended. False for a log that only this process writes.
     */
    default boolean shared() {
        return false;
    }

    /**
     * Unfinished streams whose writer is gone, found without a reader asking: a sweeper {@linkplain #adopt adopts}
     * and ends them, so that their runs and usage rows are settled even when no client comes back. Empty for a log
     * that only this process writes.
     */
    default List<String> orphans() {
        return List.of();
    }

    /**
     * Streams the shared log lacked events of (it was unreachable) and does not have complete yet; they go on in this
     * instance's memory and reach the shared log when it is back. Always 0 for a log that only this process writes.
     */
    default long streamsBehind() {
        return 0;
    }

    /** Streams that have gone on in this instance's memory alone for a while, since start-up. */
    default long streamsKeptLocally() {
        return 0;
    }

    @Override
    void close();

    /**
     * The log could not be read (its store is unreachable, or lost the stream): a reader cannot go on, and must end
     * its client's stream with an error rather than stop as if the stream were complete.
     */
    final class Unavailable extends RuntimeException {
        public Unavailable(String detail, Throwable cause) {
            super(detail, cause);
        }
    }

    /** Reads one stream's events in order. One thread at a time. */
    interface Cursor extends AutoCloseable {
        /**
         * The next event, waiting up to {@code wait} for it; null when none came in time; {@link LoggedEvent#END}
         * when the stream has finished and everything has been read.
         *
         * @throws Unavailable when the log can no longer be read; never a silent end
         */
        LoggedEvent next(Duration wait) throws InterruptedException;

        @Override
        default void close() {}
    }
}
