package dev.switchboard.limits;

import java.time.Duration;

/**
 * Counters shared by the instances that enforce limits: in Redis when {@code REDIS_URL} is set, else in this
 * process. Two kinds: hits in a time window (requests per minute), and leased slots (concurrent streams), which
 * free themselves when their holder stops renewing them, so an instance that dies does not hold slots forever.
 */
interface Counters extends AutoCloseable {
    /** Counts one hit in the window that holds now; the hits in it so far, this one included. */
    long hit(String key, Duration window);

    /** Takes one of at most {@code limit} slots under {@code key} for {@code holder}, for {@code lease}; false when full. */
    boolean acquire(String key, String holder, int limit, Duration lease);

    /** Extends a held slot's lease. */
    void renew(String key, String holder, Duration lease);

    void release(String key, String holder);

    @Override
    void close();
}
