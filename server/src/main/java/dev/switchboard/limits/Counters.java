package dev.switchboard.limits;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Counters shared by the instances that enforce limits: in Redis when {@code REDIS_URL} is set, else in this
 * process. Three kinds: requests in a sliding window (requests per minute), leased slots (concurrent streams), which
 * free themselves when their holder stops renewing them, so an instance that dies does not hold slots for long, and
 * running token totals (budgets), added to as each request's usage becomes known.
 */
interface Counters extends AutoCloseable {
    /** What {@link #acquire} answers. */
    enum Acquired { TAKEN, FULL, RECOUNTING }

    /**
     * Admits one request under {@code key} when fewer than {@code limit} were admitted in the {@code window} that ends
     * now (a sliding window: never more than {@code limit} in any span of that length). Returns 0 when admitted, else
     * the milliseconds until the oldest admitted request leaves the window. A refused request is not counted.
     */
    long admit(String key, int limit, Duration window);

    /**
     * Takes one of at most {@code limit} slots under {@code key} for {@code holder}, for {@code lease}. While the
     * store is recounting (it lost its slots, in a restart, and their holders have not all said so again yet), no new
     * slot is given: {@link Acquired#RECOUNTING}.
     */
    Acquired acquire(String key, String holder, int limit, Duration lease);

    /** Extends a held slot's lease, or asserts it again when the store has lost it (Redis restarted empty). */
    void renew(String key, String holder, Duration lease);

    /** {@link #renew} for many slots at once ({@code holder → key}); a store may send them together. */
    default void renewAll(Map<String, String> keysByHolder, Duration lease) {
        keysByHolder.forEach((holder, key) -> renew(key, holder, lease));
    }

    void release(String key, String holder);

    /** A running token total; empty when it is not kept (never started, expired, or lost with a restart). */
    OptionalLong tokens(String key);

    /** Starts a token total at {@code baseline} unless it exists; it is forgotten after {@code ttl}. */
    void startTokens(String key, long baseline, Duration ttl);

    /** Adds to a token total; false (nothing added) when it is not kept. */
    boolean addTokens(String key, long tokens);

    @Override
    void close();

    /** True when every instance counts in the same place (Redis); false for one process's own memory. */
    default boolean shared() {
        return true;
    }
}
