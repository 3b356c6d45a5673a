package dev.switchboard.limits;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link Counters} for one instance. */
final class MemoryCounters implements Counters {
    /** This process's memory: other instances on the same database count elsewhere. */
    @Override
    public boolean shared() {
        return false;
    }

    private record Total(AtomicLong tokens, long expiresAtMillis) {}

    /** Admission times per key, oldest first; guarded by the deque itself. */
    private final Map<String, Deque<Long>> admitted = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> slots = new HashMap<>();
    private final Map<String, Total> totals = new ConcurrentHashMap<>();

    @Override
    public long admit(String key, int limit, Duration window) {
        Deque<Long> times = admitted.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            long now = System.currentTimeMillis();
            while (!times.isEmpty() && times.peekFirst() <= now - window.toMillis()) times.pollFirst();
            if (times.size() < limit) {
                times.addLast(now);
                return 0;
            }
            return limit == 0 ? window.toMillis() : Math.max(1, times.peekFirst() + window.toMillis() - now);
        }
    }

    @Override
    public synchronized Acquired acquire(String key, String holder, int limit, Duration lease) {
        Map<String, Long> held = slots.computeIfAbsent(key, k -> new HashMap<>());
        long now = System.currentTimeMillis();
        held.values().removeIf(expiry -> expiry < now);
        if (held.size() >= limit) return Acquired.FULL;
        held.put(holder, now + lease.toMillis());
        return Acquired.TAKEN;
    }

    @Override
    public synchronized void renew(String key, String holder, Duration lease) {
        Map<String, Long> held = slots.get(key);
        if (held != null && held.containsKey(holder)) held.put(holder, System.currentTimeMillis() + lease.toMillis());
    }

    @Override
    public synchronized void release(String key, String holder) {
        Map<String, Long> held = slots.get(key);
        if (held != null) held.remove(holder);
    }

    @Override
    public OptionalLong tokens(String key) {
        Total total = live(key);
        return total == null ? OptionalLong.empty() : OptionalLong.of(total.tokens().get());
    }

    @Override
    public void startTokens(String key, long baseline, Duration ttl) {
        totals.compute(key, (k, current) -> current != null && current.expiresAtMillis() > System.currentTimeMillis()
                ? current : new Total(new AtomicLong(baseline), System.currentTimeMillis() + ttl.toMillis()));
    }

    @Override
    public boolean addTokens(String key, long tokens) {
        Total total = live(key);
        if (total == null) return false;
        total.tokens().addAndGet(tokens);
        return true;
    }

    private Total live(String key) {
        Total total = totals.get(key);
        if (total != null && total.expiresAtMillis() <= System.currentTimeMillis()) {
            totals.remove(key, total);
            return null;
        }
        return total;
    }

    @Override
    public void close() {
    }
}
