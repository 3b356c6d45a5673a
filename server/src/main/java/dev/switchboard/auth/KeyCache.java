package dev.switchboard.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys verified in the database, remembered by hash (for keys presented) and by id (for the tokens and URLs a key
 * minted). An entry is fresh for a time to live, and never past its key's own end (a rotated key's overlap), so
 * every instance refuses a rotated key when its overlap ends. Cleared on every revocation; a lookup that started
 * before a clear or a forget does not put back what they removed.
 */
final class KeyCache {
    private record Entry(Caller caller, long atNanos) {}

    private final Duration ttl;
    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    KeyCache(Duration ttl) {
        this.ttl = ttl;
    }

    /** Taken before reading the database; {@link #remember} ignores a read that a revocation overtook. */
    long generation() {
        return generation.get();
    }

    Optional<Caller> byHash(String hashHex, Duration within) {
        return fresh(byHash.get(hashHex), within);
    }

    Optional<Caller> byId(String keyId, Duration within) {
        return fresh(byId.get(keyId), within);
    }

    /** Fresh for the cache's own time to live. */
    Optional<Caller> byHash(String hashHex) {
        return byHash(hashHex, ttl);
    }

    Optional<Caller> byId(String keyId) {
        return byId(keyId, ttl);
    }

    void remember(long readAtGeneration, String hashHex, Caller caller) {
        Entry entry = new Entry(caller, System.nanoTime());
        if (hashHex != null) byHash.put(hashHex, entry);
        byId.put(caller.keyId(), entry);
        // A revocation arrived while the database was being read: what was read may be stale.
        if (generation.get() != readAtGeneration) {
            byId.remove(caller.keyId());
            if (hashHex != null) byHash.remove(hashHex);
        }
    }

    void forget(String keyId) {
        generation.incrementAndGet();
        byId.remove(keyId);
        byHash.values().removeIf(entry -> entry.caller().keyId().equals(keyId));
    }

    /** A key the database no longer accepts, found by a lookup (not a revocation: reads in flight stay valid). */
    void dropId(String keyId) {
        byId.remove(keyId);
    }

    void forgetHash(String hashHex) {
        byHash.remove(hashHex);
    }

    void clear() {
        generation.incrementAndGet();
        byHash.clear();
        byId.clear();
    }

    private static Optional<Caller> fresh(Entry entry, Duration within) {
        if (entry == null || System.nanoTime() - entry.atNanos() >= within.toNanos()) return Optional.empty();
        Instant ends = entry.caller().expiresAt();
        return ends == null || Instant.now().isBefore(ends) ? Optional.of(entry.caller()) : Optional.empty();
    }
}
