package dev.switchboard.limits;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.observe.Usage;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokens a key has used today and this month (UTC), for the keys that have a budget. Each total is a shared counter
 * ({@link Counters}: Redis when instances share one) that every instance adds each request's tokens to as soon as
 * the request ends, and that admission reads: a budget is overrun by no more than the requests already in flight
 * when it was reached, on all instances together.
 *
 * <p>A total starts from the request log (the one durable record of usage) and is started again from it every
 * {@link #RECOUNT}, so that what a counter missed (usage while Redis was away, a Redis restart) is made good. While
 * the counters cannot be reached, the request log's sums stand, read at most every {@link #FRESH} (they lag by the
 * rows not yet written).
 */
final class TokenBudgets implements ExchangeListener {
    static final Duration FRESH = Duration.ofSeconds(2);
    static final Duration RECOUNT = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(TokenBudgets.class);

    private record Sum(OffsetDateTime since, long tokens, long readAtNanos) {}

    private enum Period {
        DAY(now -> now.toLocalDate().atStartOfDay().atOffset(ZoneOffset.UTC)),
        MONTH(now -> now.toLocalDate().withDayOfMonth(1).atStartOfDay().atOffset(ZoneOffset.UTC));

        final Function<OffsetDateTime, OffsetDateTime> start;

        Period(Function<OffsetDateTime, OffsetDateTime> start) {
            this.start = start;
        }
    }

    private final RecordedTokens recorded;
    private final Counters counters;
    private final KeyLimitStore limits;
    private final Map<String, Sum> logged = new ConcurrentHashMap<>();
    /**
     * The last total read per key and period, for when neither the counters nor the request log can be read; a new
     * day or month replaces the last one's.
     */
    private final Map<String, Sum> lastRead = new ConcurrentHashMap<>();
    private volatile long lastWarning = System.nanoTime() - Duration.ofMinutes(1).toNanos();

    TokenBudgets(RecordedTokens recorded, Counters counters, KeyLimitStore limits) {
        this.recorded = recorded;
        this.counters = counters;
        this.limits = limits;
    }

    long today(String keyId) {
        return used(keyId, Period.DAY);
    }

    long thisMonth(String keyId) {
        return used(keyId, Period.MONTH);
    }

    /** Adds a finished request's tokens to its key's totals, when the key has a budget. */
    @Override
    public void finished(Exchange exchange) {
        Usage usage = exchange.usage();
        if (exchange.keyId() == null || usage == null || usage.totalTokens() <= 0) return;
        KeyLimits keyLimits = limits.get(exchange.keyId());
        if (keyLimits.tokensPerDay() == null && keyLimits.tokensPerMonth() == null) return;
        // Off the relay's thread: a total that has to be started reads the request log first.
        Thread.ofVirtual().name("token-budget").start(() -> {
            add(exchange.keyId(), Period.DAY, usage.totalTokens());
            add(exchange.keyId(), Period.MONTH, usage.totalTokens());
        });
    }

    private void add(String keyId, Period period, long tokens) {
        OffsetDateTime since = period.start.apply(OffsetDateTime.now(ZoneOffset.UTC));
        String key = counterKey(keyId, period, since);
        try {
            if (counters.addTokens(key, tokens)) return;
            // Not kept: started from the log, which does not have this request yet, then added to.
            start(key, keyId, since);
            counters.addTokens(key, tokens);
        } catch (RuntimeException unreachable) {
            warn(unreachable);
        }
    }

    private long used(String keyId, Period period) {
        OffsetDateTime since = period.start.apply(OffsetDateTime.now(ZoneOffset.UTC));
        String key = counterKey(keyId, period, since);
        try {
            OptionalLong kept = counters.tokens(key);
            if (kept.isEmpty()) {
                start(key, keyId, since);
                kept = counters.tokens(key);
            }
            if (kept.isPresent()) {
                lastRead.put(keyId + "@" + period, new Sum(since, kept.getAsLong(), System.nanoTime()));
                // Counted in this process alone, the total misses other instances' usage: the request log, which
                // they all write, has it (as of at most FRESH ago).
                return counters.shared() ? kept.getAsLong() : Math.max(kept.getAsLong(), logged(keyId, period, since));
            }
        } catch (RuntimeException unreachable) {
            warn(unreachable);
        }
        Sum last = lastRead.get(keyId + "@" + period);
        return Math.max(logged(keyId, period, since), last != null && last.since().equals(since) ? last.tokens() : 0);
    }

    private void start(String key, String keyId, OffsetDateTime since) {
        counters.startTokens(key, sumOfLog(keyId, since), RECOUNT);
    }

    private static String counterKey(String keyId, Period period, OffsetDateTime since) {
        return "tokens:" + keyId + ":" + period.name().toLowerCase() + ":" + since.toLocalDate();
    }

    /** The request log's sum, cached for {@link #FRESH}; the last one read while the database is away. */
    private long logged(String keyId, Period period, OffsetDateTime since) {
        String cacheKey = keyId + "@" + period;
        Sum cached = logged.get(cacheKey);
        if (cached != null && !cached.since().equals(since)) cached = null;
        if (cached != null && System.nanoTime() - cached.readAtNanos() < FRESH.toNanos()) return cached.tokens();
        try {
            long tokens = sumOfLog(keyId, since);
            logged.put(cacheKey, new Sum(since, tokens, System.nanoTime()));
            return tokens;
        } catch (JdbiException databaseDown) {
            return cached != null ? cached.tokens() : 0;
        }
    }

    private long sumOfLog(String keyId, OffsetDateTime since) {
        return recorded.since(keyId, since);
    }

    private void warn(RuntimeException unreachable) {
        long now = System.nanoTime();
        if (now - lastWarning > Duration.ofSeconds(30).toNanos()) {
            lastWarning = now;
            LOG.warn("Token totals could not be read or started ({}); budgets are checked against the request log, "
                    + "which lags by the requests not yet written, or the totals last read", unreachable.toString());
        }
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
}
