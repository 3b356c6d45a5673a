package dev.switchboard.limits;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;

/**
 * {@link Counters} in Redis, shared by every instance on it. A window is a counter key that expires with its
 * window; slots are a sorted set of holders scored by lease expiry, taken atomically by a script.
 */
final class RedisCounters implements Counters {
    private static final String PREFIX = "switchboard:limits:";
    /**
     * KEYS[1] the slots; ARGV: now (ms), expiry (ms), limit, holder, the set's time to live (ms). Drops expired leases,
     * then takes one if free. Each member expires by its score; the set itself only when nobody renews at all.
     */
    private static final String ACQUIRE = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
              redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
              return 1
            end
            return 0""";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;

    RedisCounters(String url) {
        this.client = RedisClient.create(url);
        // While Redis is away, commands fail at once rather than queue: a request is not held up by its limits.
        client.setOptions(io.lettuce.core.ClientOptions.builder()
                .disconnectedBehavior(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        this.connection = client.connect();
        connection.setTimeout(Duration.ofMillis(500));
        this.redis = connection.sync();
    }

    @Override
    public long hit(String key, Duration window) {
        long index = System.currentTimeMillis() / window.toMillis();
        String windowKey = PREFIX + key + ":" + index;
        long count = redis.incr(windowKey);
        if (count == 1) redis.pexpire(windowKey, window.toMillis() * 2);
        return count;
    }

    @Override
    public boolean acquire(String key, String holder, int limit, Duration lease) {
        long now = System.currentTimeMillis();
        Long taken = redis.eval(ACQUIRE, ScriptOutputType.INTEGER, new String[] {PREFIX + key},
                String.valueOf(now), String.valueOf(now + lease.toMillis()), String.valueOf(limit), holder,
                String.valueOf(lease.toMillis() * 2));
        return taken != null && taken == 1;
    }

    @Override
    public void renew(String key, String holder, Duration lease) {
        long expiry = System.currentTimeMillis() + lease.toMillis();
        redis.zadd(PREFIX + key, io.lettuce.core.ZAddArgs.Builder.xx(), (double) expiry, holder);
        redis.pexpire(PREFIX + key, lease.toMillis() * 2);
    }

    @Override
    public void release(String key, String holder) {
        redis.zrem(PREFIX + key, holder);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
