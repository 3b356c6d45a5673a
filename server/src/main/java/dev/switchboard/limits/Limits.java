package dev.switchboard.limits;

import dev.switchboard.auth.Caller;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.web.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces each key's limits ({@code key_limits}): endpoints, models, requests per minute, concurrent streams and
 * realtime sessions, and tokens per day and month. A refusal is an OpenAI-shaped error naming the limit: 403 for
 * what the key may not use at all, 429 with {@code Retry-After} for what it has used up. Admin routes are not
 * limited, so an administrator can always change a limit.
 */
public final class Limits implements AutoCloseable {
    /**
     * How long a concurrency slot is held without renewal; its holder renews it every third of that. The slots of an
     * instance that died are free again within a lease, as its event-log lease lapses (also 6 s).
     */
    static final Duration LEASE = Duration.ofSeconds(6);
    private static final Duration RENEWAL = LEASE.dividedBy(3);

    private static final Logger LOG = LoggerFactory.getLogger(Limits.class);

    private final KeyLimitStore store;
    private final TokenBudgets budgets;
    private final Counters counters;
    /** The slots this instance holds, by holder, each under its key; all renewed together. */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewals =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("limit-leases").factory());

    /**
     * @param recorded the tokens each key's requests recorded (the request log), where budgets start from
     */
    public Limits(Jdbi jdbi, RecordedTokens recorded, Optional<String> redisUrl) {
        this.store = new KeyLimitStore(jdbi);
        // A recount lasts a lease: every holder renews (and so asserts again) its slots twice within it.
        this.counters = redisUrl.<Counters>map(url -> new RedisCounters(url, LEASE)).orElseGet(MemoryCounters::new);
        this.budgets = new TokenBudgets(recorded, counters, store);
        renewals.scheduleWithFixedDelay(this::renewHeld, RENEWAL.toMillis(), RENEWAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Adds each finished request's tokens to its key's budget totals; an exchange listener. */
    public ExchangeListener usage() {
        return budgets;
    }

    public KeyLimitStore store() {
        return store;
    }

    /** Tokens a key has used today and this month (UTC). */
    public record Usage(long today, long thisMonth) {}

    public Usage budgetUsage(String keyId) {
        return new Usage(budgets.today(keyId), budgets.thisMonth(keyId));
    }

    /** A request's endpoint (its path), request rate and budgets; admission ({@code pipeline}) asks, for every key route. */
    public void admit(Caller caller, String path) {
        KeyLimits limits = store.get(caller.keyId());
        if (limits.none()) return;
        requireEndpoint(limits, path);
        if (limits.requestsPerMinute() != null) {
            int perMinute = limits.requestsPerMinute();
            long waitMillis = countedOrOpen(() -> counters.admit("rpm:" + caller.keyId(), perMinute, Duration.ofMinutes(1)), 0L);
            if (waitMillis > 0) {
                throw GatewayException.limited("requests_per_minute_exceeded", "This key's limit of " + perMinute
                        + " requests per minute is reached; try again in a moment.", Math.max(1, (waitMillis + 999) / 1000));
            }
        }
        budgetExhausted(caller).ifPresent(refusal -> {
            throw refusal;
        });
    }

    /** A 403 when the key may not use the endpoint {@code path} (a request the key makes another way: a batch's line). */
    public void requireEndpoint(Caller caller, String path) {
        requireEndpoint(store.get(caller.keyId()), path);
    }

    private static void requireEndpoint(KeyLimits limits, String path) {
        if (!limits.allowsEndpoint(path)) {
            throw new GatewayException(403, "permission_error", "endpoint_not_allowed", null, "This key may not use "
                    + path + "; it may use " + String.join(", ", limits.endpoints()) + ". Ask the administrator to change its limits.");
        }
    }

    /** A 403 when the key may not use {@code model}. */
    public void requireModel(Caller caller, String model) {
        KeyLimits limits = store.get(caller.keyId());
        if (limits.models() != null && model != null && !limits.models().contains(model)) {
            throw new GatewayException(403, "permission_error", "model_not_allowed_for_key", "model", "This key may not use the model '"
                    + model + "'; it may use " + String.join(", ", limits.models()) + ". Ask the administrator to change its limits.");
        }
    }

    /** The refusal when the key's token budget for today or this month is used up; empty while it lasts. */
    public Optional<GatewayException> budgetExhausted(Caller caller) {
        return budget(caller).exhausted(0);
    }

    /**
     * The key's budgets as they stand now, for a stream that answers in several responses (an agent run, a Realtime
     * session): it asks between responses with what it has used since, so a budget ends it cleanly rather than
     * mid-event, and its own usage counts before the request log has it.
     */
    public Budget budget(Caller caller) {
        KeyLimits limits = store.get(caller.keyId());
        long today = limits.tokensPerDay() == null ? 0 : budgets.today(caller.keyId());
        long month = limits.tokensPerMonth() == null ? 0 : budgets.thisMonth(caller.keyId());
        return new Budget(limits, today, month);
    }

    /** A key's token budgets, from a moment on. */
    public record Budget(KeyLimits limits, long usedToday, long usedThisMonth) {
        /** The refusal once {@code since} more tokens would use a budget up; empty while they last. */
        public Optional<GatewayException> exhausted(long since) {
            if (limits.tokensPerDay() != null && usedToday + since >= limits.tokensPerDay()) {
                return Optional.of(GatewayException.limited("token_budget_exhausted", "This key's budget of " + limits.tokensPerDay()
                        + " tokens per day is used up; it renews at midnight UTC.", TokenBudgets.secondsToTomorrow()));
            }
            if (limits.tokensPerMonth() != null && usedThisMonth + since >= limits.tokensPerMonth()) {
                return Optional.of(GatewayException.limited("token_budget_exhausted", "This key's budget of " + limits.tokensPerMonth()
                        + " tokens per month is used up; it renews on the first of the month (UTC).", TokenBudgets.secondsToNextMonth()));
            }
            return Optional.empty();
        }
    }

    /** Takes one of the key's concurrent streams for as long as the returned slot is open; 429 when none is free. */
    public Slot openStream(Caller caller) {
        return open(caller, "streams", store.get(caller.keyId()).concurrentStreams(), "concurrent_streams_exceeded", "streams");
    }

    /** Takes one of the key's concurrent Realtime sessions; 429 when none is free. */
    public Slot openRealtime(Caller caller) {
        return open(caller, "realtime", store.get(caller.keyId()).concurrentRealtime(), "concurrent_realtime_exceeded",
                "Realtime sessions");
    }

    private Slot open(Caller caller, String kind, Integer limit, String code, String what) {
        if (limit == null) return Slot.NONE;
        String key = kind + ":" + caller.keyId();
        String holder = UUID.randomUUID().toString();
        Counters.Acquired acquired = countedOrOpen(() -> counters.acquire(key, holder, limit, LEASE), Counters.Acquired.TAKEN);
        if (acquired == Counters.Acquired.FULL) {
            throw GatewayException.limited(code, "This key's limit of " + limit + " concurrent " + what
                    + " is reached; end one or try again shortly.", 5);
        }
        if (acquired == Counters.Acquired.RECOUNTING) {
            throw GatewayException.limited(code, "The gateway is recounting this key's concurrent " + what + " after its "
                    + "shared counters restarted; try again in a few seconds.", LEASE.toSeconds());
        }
        held.put(holder, key);
        return new Slot(() -> {
            held.remove(holder);
            countedOrOpen(() -> {
                counters.release(key, holder);
                return null;
            }, null);
        });
    }

    /**
     * Renews every slot held here, in one pass. A renewal also puts back a slot the counters lost (Redis restarted
     * empty), so a key never has more streams than its limit for longer than the counters' recount.
     */
    private void renewHeld() {
        if (held.isEmpty()) return;
        Map<String, String> renewing = Map.copyOf(held);
        try {
            counters.renewAll(renewing, LEASE);
            // A slot closed while it was being renewed may have been put back after its release: release it again.
            renewing.forEach((holder, key) -> {
                if (!held.containsKey(holder)) counters.release(key, holder);
            });
        } catch (RuntimeException e) {
            // Redis unreachable for a moment: the next renewal tries again before the leases end.
        }
    }

    /**
     * A counter's answer; {@code open} when the shared counters cannot be reached (Redis away): the limits of rate and
     * concurrency then let requests through rather than refuse every one, and say so in the log.
     */
    private <T> T countedOrOpen(Supplier<T> count, T open) {
        try {
            return count.get();
        } catch (RuntimeException unreachable) {
            long now = System.nanoTime();
            if (now - lastWarning > TimeUnit.SECONDS.toNanos(30)) {
                lastWarning = now;
                LOG.warn("Limit counters unreachable ({}); rate and concurrency limits are not enforced until they are back",
                        unreachable.toString());
            }
            return open;
        }
    }

    private volatile long lastWarning = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

    @Override
    public void close() {
        renewals.shutdownNow();
        counters.close();
    }

    /** A held concurrency slot; closing it frees it (once). */
    public static final class Slot implements AutoCloseable {
        static final Slot NONE = new Slot(() -> { });

        /** A slot that holds nothing: for a key with no limit, or a request that takes none. */
        public static Slot none() {
            return NONE;
        }

        private final Runnable release;
        private final AtomicBoolean open = new AtomicBoolean(true);

        Slot(Runnable release) {
            this.release = release;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) release.run();
        }
    }
}
