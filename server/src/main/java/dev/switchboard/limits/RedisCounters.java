package dev.switchboard.limits;

import dev.switchboard.store.FailFastRedis;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * {@link Counters} in Redis, shared by every instance on it. Time is Redis's own ({@code TIME}), so instances whose
 * clocks differ count the same windows and leases.
 *
 * <ul>
 *   <li>A request window is a sorted set of admitted requests scored by their time: one older than the window is
 *       dropped before counting, so no span of the window's length ever holds more than the limit.</li>
 *   <li>Slots are a sorted set of holders scored by lease expiry, taken atomically by a script. Holders renew theirs
 *       with a plain {@code ZADD}, which also puts back a slot Redis lost.</li>
 *   <li>A Redis that restarted empty (or was flushed) has lost every slot, and their holders each say so again only
 *       at their next renewal. So that no key gets a second stream meanwhile, the first script to find the
 *       {@link #EPOCH} marker gone opens a recount ({@link #RECOUNT}, as long as a lease) during which no new slot is
 *       given.</li>
 *   <li>A token total is a plain counter, added to with {@code INCRBY} only while it exists.</li>
 * </ul>
 */
final class RedisCounters implements Counters {
    private static final String PREFIX = "switchboard:limits:";
    /** Present as long as Redis has kept the slots it was given; its absence means they were lost. */
    private static final String EPOCH = PREFIX + "epoch";
    private static final String RECOUNT = PREFIX + "recount";
    /** Run first by the slot scripts: KEYS[2] the epoch, KEYS[3] the recount; ARGV[1] the recount's length (ms). */
    private static final String NOTICE_LOSS = """
            if redis.call('EXISTS', KEYS[2]) == 0 then
              redis.call('SET', KEYS[2], '1')
              redis.call('SET', KEYS[3], '1', 'PX', ARGV[1])
            end
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            """;
    /** KEYS[1] the slots; ARGV[2] the lease (ms), ARGV[3] the limit, ARGV[4] the holder. 1 taken, 0 full, -1 recounting. */
    private static final String ACQUIRE = NOTICE_LOSS + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
              redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[4])
              return 1
            end
            if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
            if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
              redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[4])
              redis.call('PEXPIRE', KEYS[1], ARGV[2] * 2)
              return 1
            end
            return 0""";
    /** KEYS[1] the slots; ARGV[2] the lease (ms), ARGV[3] the holder. */
    private static final String RENEW = NOTICE_LOSS + """
            redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[2] * 2)
            return 1""";
    /** KEYS[1] the admitted requests; ARGV[1] the window (ms), ARGV[2] the limit, ARGV[3] a unique member. */
    private static final String ADMIT = """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local window = tonumber(ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
            if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
              redis.call('ZADD', KEYS[1], now, ARGV[3])
              redis.call('PEXPIRE', KEYS[1], window)
              return 0
            end
            local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            if oldest[2] == nil then return window end
            return math.max(1, tonumber(oldest[2]) + window - now)""";
    /** KEYS[1] the total; ARGV[1] tokens. The new total, or -1 when the total is not kept. */
    private static final String ADD_TOKENS = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
            return redis.call('INCRBY', KEYS[1], ARGV[1])""";

    private final FailFastRedis client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final Duration recount;

    /** @param recount how long no new slot is given after Redis is found to have lost them: longer than a renewal */
    RedisCounters(String url, Duration recount) {
        // A request is not held up by its limits while Redis is away; slot holders are back well inside the recount.
        this.client = new FailFastRedis(url);
        this.connection = client.client().connect();
        connection.setTimeout(Duration.ofMillis(500));
        this.redis = connection.sync();
        this.recount = recount;
        // An instance starting on an empty Redis has nothing to recount.
        redis.setnx(EPOCH, "1");
    }

    @Override
    public long admit(String key, int limit, Duration window) {
        Long wait = redis.eval(ADMIT, ScriptOutputType.INTEGER, new String[] {PREFIX + "window:" + key},
                String.valueOf(window.toMillis()), String.valueOf(limit), UUID.randomUUID().toString());
        return wait == null ? 0 : wait;
    }

    @Override
    public Acquired acquire(String key, String holder, int limit, Duration lease) {
        Long taken = redis.eval(ACQUIRE, ScriptOutputType.INTEGER, slotKeys(key), String.valueOf(recount.toMillis()),
                String.valueOf(lease.toMillis()), String.valueOf(limit), holder);
        if (taken == null || taken == 0) return Acquired.FULL;
        return taken == 1 ? Acquired.TAKEN : Acquired.RECOUNTING;
    }

    @Override
    public void renew(String key, String holder, Duration lease) {
        redis.eval(RENEW, ScriptOutputType.INTEGER, slotKeys(key), String.valueOf(recount.toMillis()),
                String.valueOf(lease.toMillis()), holder);
    }

    /** Pipelined: one round trip for all of an instance's slots, however many streams it holds. */
    @Override
    public void renewAll(Map<String, String> keysByHolder, Duration lease) {
        RedisAsyncCommands<String, String> async = connection.async();
        List<RedisFuture<Long>> sent = new ArrayList<>();
        keysByHolder.forEach((holder, key) -> sent.add(async.eval(RENEW, ScriptOutputType.INTEGER, slotKeys(key),
                String.valueOf(recount.toMillis()), String.valueOf(lease.toMillis()), holder)));
        try {
            LettuceFutures.awaitAll(connection.getTimeout(), sent.toArray(RedisFuture[]::new));
        } catch (RuntimeException e) {
            // Redis unreachable for a moment: the next renewal tries again before the leases end.
        }
    }

    @Override
    public void release(String key, String holder) {
        redis.zrem(PREFIX + key, holder);
    }

    @Override
    public OptionalLong tokens(String key) {
        String value = redis.get(PREFIX + key);
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    @Override
    public void startTokens(String key, long baseline, Duration ttl) {
        redis.set(PREFIX + key, String.valueOf(baseline), SetArgs.Builder.nx().px(ttl.toMillis()));
    }

    @Override
    public boolean addTokens(String key, long tokens) {
        Long total = redis.eval(ADD_TOKENS, ScriptOutputType.INTEGER, new String[] {PREFIX + key}, String.valueOf(tokens));
        return total != null && total >= 0;
    }

    private static String[] slotKeys(String key) {
        return new String[] {PREFIX + key, EPOCH, RECOUNT};
    }

    @Override
    public void close() {
        connection.close();
        client.close();
    }
}
