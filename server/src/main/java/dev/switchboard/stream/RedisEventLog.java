package dev.switchboard.stream;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event logs in Redis Streams, shared by every gateway instance using the same Redis: a stream relayed by one
 * instance can be resumed on another. Each event is one stream entry whose id is {@code 0-(seq+1)}, so "after
 * event N" is simply {@code XREAD} from {@code 0-(N+1)}; a final entry with an {@code end} field marks the end.
 *
 * <p>Appends share one connection (Redis keeps their order). Each waits for Redis's acknowledgement, a round trip
 * on a local network, before the relay writes the event to its client: a client never holds an event the log
 * lacks, so whoever resumes its stream, on any instance, continues exactly where it was. A Redis that is slow or
 * refusing is not waited for: after one acknowledgement takes longer than {@link #ACK_WAIT}, appends go on
 * without waiting until Redis answers in time again (the stream goes on; only its resumption may miss events).
 * A stream's registration is written once, before its first byte. Readers block in {@code XREAD} on a connection
 * of their own.
 *
 * <p>Each instance holds a liveness lease in Redis, renewed every {@link #LEASE_RENEWAL} and lasting {@link #LEASE};
 * every stream names the instance writing it. When a reader waits on an unfinished stream whose writer's lease has
 * lapsed (the instance was killed, or lost Redis for longer than the lease), the stream can never finish by
 * itself: one reader {@linkplain #adopt adopts} it and ends it, so that no client waits forever. Each instance also
 * lists the streams it is writing in a set of its own, and the instances are listed in {@link #INSTANCES}: a
 * sweeper finds a dead instance's unfinished streams there ({@link #orphans}) when no reader comes.
 */
final class RedisEventLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(RedisEventLog.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** Keys of a stream whose relay never finished (its instance died) still expire after this. */
    private static final Duration UNFINISHED_TTL = Duration.ofHours(24);
    private static final Duration TOMBSTONE_TTL = Duration.ofHours(24);
    /** Three renewals fit in a lease, so one slow or lost renewal does not make a live instance look dead. */
    static final Duration LEASE = Duration.ofSeconds(6);
    static final Duration LEASE_RENEWAL = Duration.ofSeconds(2);
    private static final Duration ACK_WAIT = Duration.ofMillis(250);
    /** Every instance that may have written streams: the live ones, and dead ones until their streams are ended. */
    private static final String INSTANCES = "switchboard:instances";

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> async;
    private final Duration retention;
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    /** Streams not numbered from 0 whose first append is still to come (it sets the events' expiry). */
    private final Set<String> firstAppends = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedWrites = new AtomicLong();
    /** False while Redis is slow: appends stop waiting for acknowledgements until one arrives again. */
    private volatile boolean awaitingAcks = true;
    private final String instanceId = "inst_" + HexFormat.of().toHexDigits(
            ThreadLocalRandom.current().nextLong());
    private final ScheduledExecutorService leaseRenewal =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "redis-event-log-lease");
                thread.setDaemon(true);
                return thread;
            });

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
        // The first lease is asked for before any stream is registered, on the same connection, so it comes first.
        renewLease();
        leaseRenewal.scheduleAtFixedRate(this::renewLease, LEASE_RENEWAL.toMillis(), LEASE_RENEWAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void renewLease() {
        // Failures are counted like any write's: while Redis is away the lease lapses, and returns with Redis.
        track(async.setex(instanceKey(instanceId), LEASE.toSeconds(), bytes("1")));
        // After the lease, so that no sweeper sees this instance listed without a lease. Renewed with it: a Redis
        // that restarted empty learns of this instance again.
        track(async.sadd(INSTANCES, bytes(instanceId)));
        track(async.expire(writingKey(instanceId), UNFINISHED_TTL));
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
        fields.put("instance", bytes(instanceId));
        if (meta.requestId() != null) fields.put("request_id", bytes(meta.requestId()));
        if (meta.firstSeq() != 0) fields.put("first_seq", bytes(String.valueOf(meta.firstSeq())));
        sequences.put(meta.id(), new AtomicLong(meta.firstSeq()));
        if (meta.firstSeq() != 0) firstAppends.add(meta.id());
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
        track(async.sadd(writingKey(instanceId), bytes(meta.id())));
        track(async.setex(knownKey(meta.id()), retention.plus(TOMBSTONE_TTL).toSeconds(), bytes("1")));
    }

    @Override
    public long append(String streamId, byte[] frame) {
        long seq = sequences.computeIfAbsent(streamId, id -> new AtomicLong()).getAndIncrement();
        RedisFuture<String> added = async.xadd(eventsKey(streamId), new XAddArgs().id("0-" + (seq + 1)), Map.of("f", frame));
        track(added);
        if (seq == 0 || firstAppends.remove(streamId)) track(async.expire(eventsKey(streamId), UNFINISHED_TTL));
        awaitAck(added);
        return seq;
    }

    private void awaitAck(RedisFuture<String> added) {
        if (!awaitingAcks) {
            added.thenRun(() -> awaitingAcks = true);
            return;
        }
        try {
            added.get(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            awaitingAcks = false;
            LOG.warn("Redis event log: an append took over {} ms; appends stop waiting for Redis until it answers "
                    + "in time again", ACK_WAIT.toMillis());
            added.thenRun(() -> awaitingAcks = true);
        } catch (ExecutionException refused) {
            // counted and logged by track(); the stream goes on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void finish(String streamId) {
        firstAppends.remove(streamId);
        AtomicLong sequence = sequences.remove(streamId);
        if (sequence == null) return;
        track(async.xadd(eventsKey(streamId), new XAddArgs().id("0-" + (sequence.get() + 1)), Map.of("end", bytes("1"))));
        track(async.expire(eventsKey(streamId), retention));
        track(async.expire(metaKey(streamId), retention));
        track(async.srem(writingKey(instanceId), bytes(streamId)));
    }

    @Override
    public Optional<StreamMeta> find(String streamId) {
        Map<String, byte[]> fields = connection.sync().hgetall(metaKey(streamId));
        if (fields == null || fields.isEmpty()) return Optional.empty();
        return Optional.of(new StreamMeta(text(fields, "id"), text(fields, "owner"), text(fields, "key_id"),
                text(fields, "endpoint"), text(fields, "model"), Boolean.parseBoolean(text(fields, "resumable")),
                Instant.parse(text(fields, "created_at")), text(fields, "request_id"),
                fields.containsKey("first_seq") ? Long.parseLong(text(fields, "first_seq")) : 0));
    }

    @Override
    public boolean writerGone(String streamId) {
        byte[] writer = connection.sync().hget(metaKey(streamId), "instance");
        return writer != null && connection.sync().exists(instanceKey(new String(writer, StandardCharsets.UTF_8))) == 0;
    }

    @Override
    public LoggedEvent adopt(String streamId) {
        String won = connection.sync().set(adoptedKey(streamId), bytes(instanceId),
                SetArgs.Builder.nx().ex(retention.plus(TOMBSTONE_TTL)));
        if (!"OK".equals(won)) return null;
        List<StreamMessage<String, byte[]>> last = connection.sync().xrevrange(eventsKey(streamId),
                Range.unbounded(), Limit.from(1));
        if (last.isEmpty()) {
            sequences.put(streamId, new AtomicLong(find(streamId).map(StreamMeta::firstSeq).orElse(0L)));
            return new LoggedEvent(-1, new byte[0]);
        }
        StreamMessage<String, byte[]> message = last.getFirst();
        if (message.getBody().containsKey("end")) return null; // it finished after all
        long seq = sequence(message.getId());
        sequences.put(streamId, new AtomicLong(seq + 1));
        return new LoggedEvent(seq, message.getBody().get("f"));
    }

    @Override
    public List<String> orphans() {
        RedisCommands<String, byte[]> sync = connection.sync();
        List<String> orphans = new ArrayList<>();
        for (byte[] listed : sync.smembers(INSTANCES)) {
            String instance = new String(listed, StandardCharsets.UTF_8);
            if (instance.equals(instanceId) || sync.exists(instanceKey(instance)) == 1) continue;
            Set<byte[]> streams = sync.smembers(writingKey(instance));
            for (byte[] stream : streams) {
                String streamId = new String(stream, StandardCharsets.UTF_8);
                // Adopted (ended, or being ended) or forgotten: nothing is left to do for it, by anyone.
                boolean settled = sync.exists(adoptedKey(streamId)) == 1 || sync.exists(metaKey(streamId)) == 0;
                if (settled) sync.srem(writingKey(instance), stream);
                else orphans.add(streamId);
            }
            if (streams.isEmpty()) sync.srem(INSTANCES, listed);
        }
        return orphans;
    }

    @Override
    public boolean expired(String streamId) {
        return connection.sync().exists(metaKey(streamId)) == 0 && connection.sync().exists(knownKey(streamId)) == 1;
    }

    @Override
    public long lastSeq(String streamId) {
        List<StreamMessage<String, byte[]>> last = connection.sync().xrevrange(eventsKey(streamId), Range.unbounded(),
                Limit.from(1));
        if (last.isEmpty()) return find(streamId).map(StreamMeta::firstSeq).orElse(0L) - 1;
        // The end marker takes the id after the last event's.
        StreamMessage<String, byte[]> message = last.getFirst();
        return sequence(message.getId()) - (message.getBody().containsKey("end") ? 1 : 0);
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
                return new LoggedEvent(sequence(lastId), message.getBody().get("f"));
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
        leaseRenewal.shutdownNow();
        try {
            // A clean stop ends its streams first; nothing it wrote is left to adopt.
            connection.sync().del(instanceKey(instanceId));
        } catch (RuntimeException redisAway) {
            // the lease lapses by itself
        }
        connection.close();
        client.shutdown();
    }

    private void track(RedisFuture<?> future) {
        future.whenComplete((result, failure) -> {
            if (failure != null && failedWrites.incrementAndGet() % 1000 == 1) {
                LOG.warn("Redis event log write failed ({} so far): {}", failedWrites.get(), failure.getMessage());
            }
        });
    }

    /** An entry id {@code 0-(seq+1)} back to the event's sequence number. */
    private static long sequence(String entryId) {
        return Long.parseLong(entryId.substring(entryId.indexOf('-') + 1)) - 1;
    }

    private static String instanceKey(String instanceId) {
        return "switchboard:instance:" + instanceId;
    }

    /** The streams an instance is writing. */
    private static String writingKey(String instanceId) {
        return "switchboard:instance:" + instanceId + ":streams";
    }

    private static String adoptedKey(String streamId) {
        return "switchboard:stream:" + streamId + ":adopted";
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
