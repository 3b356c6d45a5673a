package dev.switchboard.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream a {@link RedisEventLog} writes, until Redis has all of it: its events in order, and how far Redis has
 * them. Its plain fields are guarded by {@link #lock}; the others are set from Redis's I/O thread as it answers.
 */
final class StreamOutbox {
    final StreamMeta meta;
    final ReentrantLock lock = new ReentrantLock();
    /** Every event of the stream; the same arrays as this instance's readers get. */
    final List<byte[]> frames = new ArrayList<>();
    /** Entries Redis has (events, then the end), as far as its answers tell. */
    final AtomicLong stored = new AtomicLong();
    /** Entries sent (perhaps not yet stored). */
    long sent;
    volatile boolean finished;
    volatile long finishedAtNanos;
    volatile boolean registered;
    /** An entry was lost or refused: send again from {@link #stored}. */
    volatile boolean resend;
    private final AtomicBoolean behind = new AtomicBoolean();

    StreamOutbox(StreamMeta meta) {
        this.meta = meta;
    }

    /** Marks that Redis lacks some of the stream; true the first time, so that it is said once. */
    boolean fellBehind() {
        resend = true;
        return behind.compareAndSet(false, true);
    }

    /** Whether Redis has lacked some of the stream since it began. */
    boolean isBehind() {
        return behind.get();
    }
}
