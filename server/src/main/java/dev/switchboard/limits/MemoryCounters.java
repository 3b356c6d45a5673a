package dev.switchboard.limits;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link Counters} for one instance. */
final class MemoryCounters implements Counters {
    private final Map<String, AtomicLong> windows = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> slots = new HashMap<>();

    @Override
    public long hit(String key, Duration window) {
        long index = System.currentTimeMillis() / window.toMillis();
        // Only the current window matters: older ones are dropped as new ones begin.
        windows.keySet().removeIf(k -> k.startsWith(key + "@") && !k.equals(key + "@" + index));
        return windows.computeIfAbsent(key + "@" + index, k -> new AtomicLong()).incrementAndGet();
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
