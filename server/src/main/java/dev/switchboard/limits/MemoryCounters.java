package dev.switchboard.limits;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Counters} for one instance. */
final class MemoryCounters implements Counters {
    /** A key's count in its current window; a hit in a later window starts it again. */
    private record Window(long index, long count) {}

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> slots = new HashMap<>();

    @Override
    public long hit(String key, Duration window) {
        long index = System.currentTimeMillis() / window.toMillis();
        return windows.merge(key, new Window(index, 1),
                (current, hit) -> current.index() == index ? new Window(index, current.count() + 1) : hit).count();
    }

    @Override
    public synchronized boolean acquire(String key, String holder, int limit, Duration lease) {
        Map<String, Long> held = slots.computeIfAbsent(key, k -> new HashMap<>());
        long now = System.currentTimeMillis();
        held.values().removeIf(expiry -> expiry < now);
        if (held.size() >= limit) return false;
        held.put(holder, now + lease.toMillis());
        return true;
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
    public void close() {
    }
}
