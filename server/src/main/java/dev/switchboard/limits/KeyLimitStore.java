package dev.switchboard.limits;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * {@code key_limits}, read through a cache: every request consults its key's limits, so they are read at most once
 * per {@link #FRESH} per instance. A change made on this instance applies at once; on the others within FRESH.
 * While the database cannot be reached, a key's limits are the ones last read, so that an outage neither refuses
 * every request nor lifts the limits of keys the gateway still accepts.
 */
public final class KeyLimitStore {
    public static final Duration FRESH = Duration.ofSeconds(5);

    private record Cached(KeyLimits limits, long readAtNanos) {}

    private final Jdbi jdbi;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public KeyLimitStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A rotated key's successor keeps its limits; called inside the rotation's transaction (auth's listener). */
    public void copyOnRotation(org.jdbi.v3.core.Handle transaction, String oldKeyId, String newKeyId) {
        transaction.createUpdate("insert into key_limits (key_id, requests_per_minute, concurrent_streams, concurrent_realtime, "
                        + "tokens_per_day, tokens_per_month, models, endpoints) "
                        + "select :new, requests_per_minute, concurrent_streams, concurrent_realtime, tokens_per_day, "
                        + "tokens_per_month, models, endpoints from key_limits where key_id = :old")
                .bind("new", newKeyId).bind("old", oldKeyId).execute();
    }

    public KeyLimits get(String keyId) {
        if (keyId == null) return KeyLimits.NONE;
        Cached cached = cache.get(keyId);
        if (cached != null && System.nanoTime() - cached.readAtNanos() < FRESH.toNanos()) return cached.limits();
        KeyLimits limits;
        try {
            limits = jdbi.withHandle(h -> h.createQuery("select * from key_limits where key_id = :id").bind("id", keyId)
                    .map((rs, ctx) -> read(rs)).findOne()).orElse(KeyLimits.NONE);
        } catch (JdbiException databaseDown) {
            // Keys are accepted during an outage only when verified shortly before, when their limits were read too.
            return cached != null ? cached.limits() : KeyLimits.NONE;
        }
        cache.put(keyId, new Cached(limits, System.nanoTime()));
        return limits;
    }

    public void put(String keyId, KeyLimits limits) {
        jdbi.useHandle(h -> {
            if (limits.none()) {
                h.createUpdate("delete from key_limits where key_id = :id").bind("id", keyId).execute();
                return;
            }
            h.createUpdate("""
                            insert into key_limits (key_id, requests_per_minute, concurrent_streams, concurrent_realtime, tokens_per_day,
                                                    tokens_per_month, models, endpoints, updated_at)
                            values (:id, :rpm, :streams, :realtime, :day, :month, :models, :endpoints, now())
                            on conflict (key_id) do update set requests_per_minute = excluded.requests_per_minute,
                                concurrent_streams = excluded.concurrent_streams, concurrent_realtime = excluded.concurrent_realtime,
                                tokens_per_day = excluded.tokens_per_day, tokens_per_month = excluded.tokens_per_month,
                                models = excluded.models, endpoints = excluded.endpoints, updated_at = now()""")
                    .bind("id", keyId).bind("rpm", limits.requestsPerMinute()).bind("streams", limits.concurrentStreams())
                    .bind("realtime", limits.concurrentRealtime()).bind("day", limits.tokensPerDay())
                    .bind("month", limits.tokensPerMonth())
                    .bind("models", limits.models() == null ? null : limits.models().toArray(String[]::new))
                    .bind("endpoints", limits.endpoints() == null ? null : limits.endpoints().toArray(String[]::new))
                    .execute();
        });
        cache.put(keyId, new Cached(limits, System.nanoTime()));
    }

    private static KeyLimits read(ResultSet rs) throws SQLException {
        return new KeyLimits(integer(rs, "requests_per_minute"), integer(rs, "concurrent_streams"), integer(rs, "concurrent_realtime"),
                (Long) rs.getObject("tokens_per_day"), (Long) rs.getObject("tokens_per_month"), strings(rs.getArray("models")),
                strings(rs.getArray("endpoints")));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        return (Integer) rs.getObject(column);
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? null : List.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
