package dev.switchboard.limits;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Tokens a key has used today and this month (UTC), from the request log every instance writes: the one record
 * of usage, so budgets hold across instances. Sums are cached for {@link #FRESH}; the log itself is written a
 * fraction of a second after each request, so a budget may be overrun by what is in flight at that moment.
 * While the database cannot be reached, the sums last read stand (the requests of the outage are written, and
 * counted, once it is back).
 */
final class TokenBudgets {
    static final Duration FRESH = Duration.ofSeconds(2);

    private record Sum(OffsetDateTime since, long tokens, long readAtNanos) {}

    private final Jdbi jdbi;
    private final Map<String, Sum> cache = new ConcurrentHashMap<>();

    TokenBudgets(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    long today(String keyId) {
        return used(keyId + "@day", LocalDate.now(ZoneOffset.UTC).atStartOfDay().atOffset(ZoneOffset.UTC), keyId);
    }

    long thisMonth(String keyId) {
        return used(keyId + "@month", LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).atStartOfDay().atOffset(ZoneOffset.UTC), keyId);
    }

    /** Seconds until the day ends (UTC), when a daily budget is full again. */
    static long secondsToTomorrow() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC)).toSeconds();
    }

    static long secondsToNextMonth() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return Duration.between(now, now.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay().atOffset(ZoneOffset.UTC)).toSeconds();
    }

    /** One entry per key and period: a new day or month replaces the last one's. */
    private long used(String cacheKey, OffsetDateTime since, String keyId) {
        Sum cached = cache.get(cacheKey);
        if (cached != null && cached.since().equals(since) && System.nanoTime() - cached.readAtNanos() < FRESH.toNanos()) {
            return cached.tokens();
        }
        long tokens;
        try {
            tokens = jdbi.withHandle(h -> h.createQuery(
                            "select coalesce(sum(total_tokens), 0) from request_log where key_id = :key and created_at >= :since")
                    .bind("key", keyId).bind("since", since).mapTo(Long.class).one());
        } catch (JdbiException databaseDown) {
            return cached != null && cached.since().equals(since) ? cached.tokens() : 0;
        }
        cache.put(cacheKey, new Sum(since, tokens, System.nanoTime()));
        return tokens;
    }
}
