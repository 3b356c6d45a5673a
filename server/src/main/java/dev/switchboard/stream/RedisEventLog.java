package dev.switchboard.stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event logs in Redis Streams, shared by every gateway instance using the same Redis: a stream relayed by one
 * instance can be resumed on another. Each event is one stream entry whose id is {@code 0-(seq+1)}, so "after
 * event N" is simply {@code XREAD} from {@code 0-(N+1)}; a final entry with an {@code end} field marks the end.
 *
 * <p>Appends are sent asynchronously on one shared connection (Redis keeps their order), so the relay never
 * waits for Redis; only a stream's registration is written synchronously, once, before its first byte. Readers
 * block in {@code XREAD} on a connection of their own.
 */
final class RedisEventLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(RedisEventLog.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** Keys of a stream whose relay never finished (its instance died) still expire after this. */
    private static final Duration UNFINISHED_TTL = Duration.ofHours(24);
    private static final Duration TOMBSTONE_TTL = Duration.ofHours(24);

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> async;
    private final Duration retention;
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final AtomicLong failedWrites = new AtomicLong();

    RedisEventLog(String url, Duration retention) {
        this.client = RedisClient.create(url);
        // While Redis is away, writes fail at once instead of queueing: streams go on, only not resumable elsewhere.
        client.setOptions(io.lettuce.core.ClientOptions.builder()
                .disconnectedBehavior(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        this.connection = client.connect(CODEC);
        // A Redis that hangs must not hold up a stream for the default minute.
        connection.setTimeout(Duration.ofSeconds(2));
        this.async = connection.async();
        this.retention = retention;
    }

    @Override
    public void create(StreamMeta meta) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put("id", bytes(meta.id()));
        fields.put("owner", bytes(meta.owner()));
        fields.put("key_id", bytes(meta.keyId()));
        fields.put("endpoint", bytes(meta.endpoint()));
        if (meta.model() != null) fields.put("model", bytes(meta.model()));
        fields.put("resumable", bytes(String.valueOf(meta.resumable())));
        fields.put("created_at", bytes(meta.createdAt().toString()));
        sequences.put(meta.id(), new AtomicLong());
        try {
            // Written before the stream's first byte leaves: a client can resume on another instance at once, and
            // that instance's connection is not ordered with this one's.
            connection.sync().hset(metaKey(meta.id()), fields);
        } catch (RuntimeException e) {
            // The live stream goes on; only resuming it elsewhere will not work.
            failedWrites.incrementAndGet();
            LOG.warn("Redis event log: stream {} not registered ({}); it cannot be resumed on other instances",
                    meta.id(), e.getMessage());
        }
        track(async.expire(metaKey(meta.id()), UNFINISHED_TTL));
        track(async.setex(knownKey(meta.id()), retention.plus(TOMBSTONE_TTL).toSeconds(), bytes("1")));
    }

    @Override
    public long append(String streamId, byte[] frame) {
        long seq = sequences.computeIfAbsent(streamId, id -> new AtomicLong()).getAndIncrement();
        track(async.xadd(eventsKey(streamId), new XAddArgs().id("0-" + (seq + 1)), Map.of("f", frame)));
        if (seq == 0) track(async.expire(eventsKey(streamId), UNFINISHED_TTL));
        return seq;
    }

    @Override
    public void finish(String streamId) {
        AtomicLong sequence = sequences.remove(streamId);
        if (sequence == null) return;
        track(async.xadd(eventsKey(streamId), new XAddArgs().id("0-" + (sequence.get() + 1)), Map.of("end", bytes("1"))));
        track(async.expire(eventsKey(streamId), retention));
        track(async.expire(metaKey(streamId), retention));
    }

    @Override
    public Optional<StreamMeta> find(String streamId) {
        Map<String, byte[]> fields = connection.sync().hgetall(metaKey(streamId));
        if (fields == null || fields.isEmpty()) return Optional.empty();
        return Optional.of(new StreamMeta(text(fields, "id"), text(fields, "owner"), text(fields, "key_id"),
                text(fields, "endpoint"), text(fields, "model"), Boolean.parseBoolean(text(fields, "resumable")),
                Instant.parse(text(fields, "created_at"))));
    }

    @Override
    public boolean expired(String streamId) {
        return connection.sync().exists(metaKey(streamId)) == 0 && connection.sync().exists(knownKey(streamId)) == 1;
    }

    @Override
    public Cursor read(String streamId, long after) {
        StatefulRedisConnection<String, byte[]> reader = client.connect(CODEC);
        return new Cursor() {
            final Deque<StreamMessage<String, byte[]>> buffered = new ArrayDeque<>();
            String lastId = "0-" + (after + 1);

            @Override
            public LoggedEvent next(Duration wait) {
                if (buffered.isEmpty()) {
                    List<StreamMessage<String, byte[]>> messages = reader.sync().xread(
                            XReadArgs.Builder.block(Math.max(1, wait.toMillis())).count(256),
                            XReadArgs.StreamOffset.from(eventsKey(streamId), lastId));
                    if (messages == null || messages.isEmpty()) return null;
                    buffered.addAll(messages);
                }
                StreamMessage<String, byte[]> message = buffered.removeFirst();
                lastId = message.getId();
                if (message.getBody().containsKey("end")) return LoggedEvent.END;
                long seq = Long.parseLong(lastId.substring(lastId.indexOf('-') + 1)) - 1;
                return new LoggedEvent(seq, message.getBody().get("f"));
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }

    /** Appends or metadata writes Redis refused or never acknowledged. */
    long failedWrites() {
        return failedWrites.get();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }

    private void track(io.lettuce.core.RedisFuture<?> future) {
        future.whenComplete((result, failure) -> {
            if (failure != null && failedWrites.incrementAndGet() % 1000 == 1) {
                LOG.warn("Redis event log write failed ({} so far): {}", failedWrites.get(), failure.getMessage());
            }
        });
    }

    private static String eventsKey(String streamId) {
        return "switchboard:stream:" + streamId + ":events";
    }

    private static String metaKey(String streamId) {
        return "switchboard:stream:" + streamId + ":meta";
    }

    private static String knownKey(String streamId) {
        return "switchboard:stream:" + streamId + ":known";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Map<String, byte[]> fields, String name) {
        byte[] value = fields.get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
