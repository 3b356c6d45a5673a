package dev.switchboard.stream;

import dev.switchboard.store.FailFastRedis;
import dev.switchboard.web.GatewayException;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event logs in Redis Streams, shared by every gateway instance using the same Redis: a stream relayed by one
 * instance can be resumed on another. Each event is one stream entry whose id is {@code 0-(seq+1)}, so "after
 * event N" is simply {@code XREAD} from {@code 0-(N+1)}; a final entry with an {@code end} field marks the end.
 *
 * <p>The streams this instance writes are also kept in its memory ({@link MemoryEventLog}), complete, and this
 * instance's readers (a run's own client, a resume that lands here) read them there: they get every event in
 * order whatever Redis does. Redis is given the same events in order by an outbox per stream. Each entry is added
 * by a script only when the entry before it is there ({@link #APPEND}), so Redis's copy never has a gap: when an
 * append is lost (Redis away, reconnecting, or restarted empty), later ones are refused too, and the outbox sends
 * again from the first entry Redis lacks, once it answers (at the next append, or within {@link #LEASE_RENEWAL}),
 * registration included. Meanwhile readers on other instances wait; they never skip an event. A stream that went
 * on without Redis is said so in the log and counted ({@link #streamsKeptLocally}).
 *
 * <p>Appends share one connection (Redis keeps their order). The relay writes an event to its client once Redis has
 * acknowledged it (or after {@link #ACK_WAIT}), so that a resume elsewhere rarely waits; no thread waits meanwhile.
 * After one acknowledgement takes longer, appends stop waiting until Redis answers in time again.
 *
 * <p>Readers of other instances' streams block in {@code XREAD} on a connection of their own. A read that fails, or
 * a stream whose registration stays gone (Redis lost it and no writer puts it back), throws
 * {@link EventLog.Unavailable}: the reader ends its client's stream with an error, never as if it were complete.
 *
 * <p>Each instance holds a liveness lease in Redis, renewed every {@link #LEASE_RENEWAL} and lasting {@link #LEASE};
 * every stream names the instance writing it. When a reader waits on an unfinished stream whose writer's lease has
 * lapsed (the instance was killed, or lost Redis for longer than the lease), the stream can never finish by
 * itself: one reader {@linkplain #adopt adopts} it and continues it from upstream or ends it, so that no client
 * waits forever; the adopter becomes the stream's writer, and is adopted from in turn should it go too. Each instance also
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
    private static final java.util.concurrent.Executor ACK_TIMER =
            java.util.concurrent.CompletableFuture.delayedExecutor(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    /** Every instance that may have written streams: the live ones, and dead ones until their streams are ended. */
    private static final String INSTANCES = "switchboard:instances";
    /**
     * KEYS[1] the events; ARGV[1] the entry's number (seq + 1), ARGV[2] its field, ARGV[3] its value, ARGV[4] the
     * key's time to live (s), set with the first entry and the end, ARGV[5] the number before the stream's first entry
     * (its first event's sequence number: 0, or N + 1 for a stream that continues another after event N). 1 added, 0
     * there already, or -1 - the number of the last entry there (ARGV[5] when none) when an earlier one is missing.
     */
    private static final String APPEND = """
            local n = tonumber(ARGV[1])
            local base = tonumber(ARGV[5])
            local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            local lastN = base
            if #last > 0 then lastN = tonumber(string.match(last[1][1], '-(%d+)$')) end
            if lastN >= n then return 0 end
            if lastN ~= n - 1 then return -1 - lastN end
            redis.call('XADD', KEYS[1], '0-' .. n, ARGV[2], ARGV[3])
            if n == base + 1 or ARGV[2] == 'end' then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
            return 1""";
    private static final String APPEND_DIGEST = sha1Hex(APPEND);
    /**
     * KEYS[1] the stream's adoption; ARGV[1] this instance, ARGV[2] the adoption's time to live (s), ARGV[3] the
     * prefix of instances' lease keys. 1 when this instance now holds the stream: nobody had adopted it, or the
     * instance that had is gone too (it was continuing the stream, and a continuation can be adopted again).
     */
    private static final String ADOPT = """
            local holder = redis.call('GET', KEYS[1])
            if holder and redis.call('EXISTS', ARGV[3] .. holder) == 1 then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
            return 1""";

    private final FailFastRedis redis;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> async;
    private final Duration retention;
    /**
     * The streams this instance writes, complete, for its own readers and as the outboxes' source, until Redis has
     * all of a stream (or it is past its retention, when Redis never came back).
     */
    private final MemoryEventLog local;
    private final Map<String, StreamOutbox> outboxes = new ConcurrentHashMap<>();
    /** Streams adopted from a gone writer: their next sequence number. */
    private final Map<String, AtomicLong> adopted = new ConcurrentHashMap<>();
    private final AtomicLong failedWrites = new AtomicLong();
    private final AtomicLong keptLocally = new AtomicLong();
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
        // While Redis is away, writes fail at once: streams go on, from this instance's memory.
        this.redis = new FailFastRedis(url);
        this.client = redis.client();
        this.connection = client.connect(CODEC);
        // A Redis that hangs must not hold up a stream for the default minute.
        connection.setTimeout(Duration.ofSeconds(2));
        this.async = connection.async();
        this.retention = retention;
        this.local = new MemoryEventLog(retention, Runtime.getRuntime().maxMemory() / 4, Clock.systemUTC());
        track(async.scriptLoad(bytes(APPEND)));
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
        // Streams whose events Redis lacks are sent again now that it may answer.
        for (StreamOutbox outbox : outboxes.values()) {
            if (outbox.finished && System.nanoTime() - outbox.finishedAtNanos > retention.toNanos()) {
                // Redis stayed away for the whole retention: the stream would expire there at once anyway.
                outboxes.remove(outbox.meta.id(), outbox);
                LOG.warn("Redis event log: stream {} was past its retention before Redis could have all of it",
                        outbox.meta.id());
                continue;
            }
            try {
                flush(outbox);
            } catch (RuntimeException e) {
                LOG.debug("Redis event log: stream {} not sent again yet: {}", outbox.meta.id(), e.getMessage());
            }
        }
    }

    @Override
    public void create(StreamMeta meta) {
        local.create(meta);
        StreamOutbox outbox = new StreamOutbox(meta);
        outboxes.put(meta.id(), outbox);
        try {
            // Written before the stream's first byte leaves: a client can resume on another instance at once, and
            // that instance's connection is not ordered with this one's.
            connection.sync().hset(metaKey(meta.id()), registration(meta));
            outbox.registered = true;
        } catch (RuntimeException e) {
            behind(outbox, "not registered (" + e.getMessage() + ")");
        }
        track(async.expire(metaKey(meta.id()), UNFINISHED_TTL));
        track(async.sadd(writingKey(instanceId), bytes(meta.id())));
        track(async.setex(knownKey(meta.id()), retention.plus(TOMBSTONE_TTL).toSeconds(), bytes("1")));
    }

    private Map<String, byte[]> registration(StreamMeta meta) {
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
        return fields;
    }

    @Override
    public long append(String streamId, byte[] frame, Runnable stored) {
        StreamOutbox outbox = outboxes.get(streamId);
        if (outbox == null) return appendAdopted(streamId, frame, stored);
        long seq;
        RedisFuture<Long> sent;
        outbox.lock.lock();
        try {
            seq = outbox.meta.firstSeq() + outbox.frames.size();
            outbox.frames.add(frame);
            sent = flush(outbox);
        } finally {
            outbox.lock.unlock();
        }
        // This instance's readers get the event only once Redis has it, as a relay's client does: what they have,
        // Redis has too (unless it is away or slow), so a reader that resumes elsewhere continues where they were.
        whenAcknowledged(sent, () -> {
            publish(outbox, seq);
            stored.run();
        });
        return seq;
    }

    /** Hands this instance's readers the stream's events up to {@code seq}, in order. */
    private void publish(StreamOutbox outbox, long seq) {
        outbox.lock.lock();
        try {
            String streamId = outbox.meta.id();
            long upTo = seq - outbox.meta.firstSeq();
            for (long next = local.size(streamId); next >= 0 && next <= upTo; next++) {
                local.append(streamId, outbox.frames.get((int) next));
            }
        } finally {
            outbox.lock.unlock();
        }
    }

    /**
     * Sends Redis the stream's entries it has not been sent, in order, registration first when Redis may have lost
     * it; the last command sent, or null when there was nothing to send. The outbox is done (and dropped) once Redis
     * has the end. The outbox counts entries from the stream's first ({@link StreamOutbox#sent}, {@code stored});
     * their numbers in Redis start after the first event's sequence number.
     */
    private RedisFuture<Long> flush(StreamOutbox outbox) {
        String streamId = outbox.meta.id();
        outbox.lock.lock();
        try {
            if (outbox.resend) {
                outbox.resend = false;
                outbox.sent = outbox.stored.get();
            }
            if (!outbox.registered) {
                outbox.registered = true;
                RedisFuture<Long> registered = async.hset(metaKey(streamId), registration(outbox.meta));
                registered.whenComplete((ok, failed) -> {
                    if (failed != null) outbox.registered = false;
                });
                track(registered);
                track(async.expire(metaKey(streamId), outbox.finished ? retention : UNFINISHED_TTL));
                if (!outbox.finished) track(async.sadd(writingKey(instanceId), bytes(streamId)));
            }
            long events = outbox.frames.size();
            RedisFuture<Long> last = null;
            for (long seq = outbox.sent; seq < events; seq++) {
                last = sendEntry(outbox, seq + 1, "f", outbox.frames.get((int) seq), UNFINISHED_TTL);
            }
            outbox.sent = Math.max(outbox.sent, events);
            if (outbox.finished && outbox.sent == events) {
                last = sendEntry(outbox, events + 1, "end", bytes("1"), retention);
                outbox.sent = events + 1;
                track(async.expire(metaKey(streamId), retention));
                track(async.srem(writingKey(instanceId), bytes(streamId)));
            }
            return last;
        } finally {
            outbox.lock.unlock();
        }
    }

    /** Sends the outbox's {@code entry}th entry (from 1). */
    private RedisFuture<Long> sendEntry(StreamOutbox outbox, long entry, String field, byte[] value, Duration ttl) {
        long base = outbox.meta.firstSeq();
        // By digest: the script's text is not sent with every event. Redis forgets it when it restarts.
        RedisFuture<Long> added = async.evalsha(APPEND_DIGEST, ScriptOutputType.INTEGER, new String[] {eventsKey(outbox.meta.id())},
                bytes(String.valueOf(base + entry)), bytes(field), value, bytes(String.valueOf(ttl.toSeconds())),
                bytes(String.valueOf(base)));
        added.whenComplete((answer, failed) -> {
            if (failed != null) {
                failedWrites.incrementAndGet();
                if (String.valueOf(failed.getMessage()).contains("NOSCRIPT")) track(async.scriptLoad(bytes(APPEND)));
                behind(outbox, failed.getMessage());
            } else if (answer >= 0) {
                stored(outbox, entry, "end".equals(field));
            } else {
                // Redis lacks an earlier entry (it lost some, or restarted empty): send again from there.
                outbox.stored.set(-1 - answer - base);
                outbox.registered = false;
                behind(outbox, "Redis lacks entries from " + (-1 - answer));
            }
        });
        return added;
    }

    private long appendAdopted(String streamId, byte[] frame, Runnable stored) {
        long seq = adopted.computeIfAbsent(streamId, id -> new AtomicLong()).getAndIncrement();
        RedisFuture<String> added = async.xadd(eventsKey(streamId), new XAddArgs().id("0-" + (seq + 1)), Map.of("f", frame));
        track(added);
        whenAcknowledged(added, stored);
        return seq;
    }

    /**
     * Runs {@code then} once Redis has acknowledged {@code added} (refused counts: it is counted and logged, and the
     * stream goes on from this instance's memory), or after {@link #ACK_WAIT} without an answer. After such a wait,
     * appends stop waiting until Redis answers one in time again. No thread waits meanwhile.
     */
    private void whenAcknowledged(RedisFuture<?> added, Runnable then) {
        if (added == null || !awaitingAcks) {
            if (added != null) added.thenRun(() -> awaitingAcks = true);
            then.run();
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        added.whenComplete((ok, refused) -> {
            if (done.compareAndSet(false, true)) then.run();
        });
        ACK_TIMER.execute(() -> {
            if (!done.compareAndSet(false, true)) return;
            awaitingAcks = false;
            LOG.warn("Redis event log: an append took over {} ms; appends stop waiting for Redis until it answers "
                    + "in time again", ACK_WAIT.toMillis());
            added.thenRun(() -> awaitingAcks = true);
            then.run();
        });
    }

    @Override
    public void finish(String streamId) {
        StreamOutbox outbox = outboxes.get(streamId);
        if (outbox != null) {
            outbox.lock.lock();
            try {
                outbox.finished = true;
                outbox.finishedAtNanos = System.nanoTime();
                publish(outbox, outbox.meta.firstSeq() + outbox.frames.size() - 1);
                local.finish(streamId);
                flush(outbox);
            } finally {
                outbox.lock.unlock();
            }
            return;
        }
        AtomicLong sequence = adopted.remove(streamId);
        if (sequence == null) return;
        track(async.xadd(eventsKey(streamId), new XAddArgs().id("0-" + (sequence.get() + 1)), Map.of("end", bytes("1"))));
        track(async.expire(eventsKey(streamId), retention));
        track(async.expire(metaKey(streamId), retention));
        track(async.srem(writingKey(instanceId), bytes(streamId)));
    }

    @Override
    public Optional<StreamMeta> find(String streamId) {
        Optional<StreamMeta> own = local.find(streamId);
        if (own.isPresent()) return own;
        Map<String, byte[]> fields = beforeResponse(() -> connection.sync().hgetall(metaKey(streamId)));
        if (fields == null || fields.isEmpty()) return Optional.empty();
        return Optional.of(new StreamMeta(text(fields, "id"), text(fields, "owner"), text(fields, "key_id"),
                text(fields, "endpoint"), text(fields, "model"), Boolean.parseBoolean(text(fields, "resumable")),
                Instant.parse(text(fields, "created_at")), text(fields, "request_id"),
                fields.containsKey("first_seq") ? Long.parseLong(text(fields, "first_seq")) : 0));
    }

    @Override
    public long streamsBehind() {
        return outboxes.values().stream().filter(StreamOutbox::isBehind).count();
    }

    @Override
    public long streamsKeptLocally() {
        return keptLocally.get();
    }

    /** An outbox fell behind Redis: send again from what Redis has; said once per stretch behind. */
    private void behind(StreamOutbox outbox, String why) {
        if (!outbox.fellBehind()) return;
        keptLocally.incrementAndGet();
        LOG.warn("Redis event log: stream {} goes on in this instance's memory only ({}); its own readers get every event, "
                + "and Redis gets them in order once it answers again", outbox.meta.id(), why);
    }

    /** Redis has {@code entry}; with the end, the stream is all there and needs neither outbox nor memory here. */
    private void stored(StreamOutbox outbox, long entry, boolean end) {
        outbox.stored.accumulateAndGet(entry, Math::max);
        if (!end) return;
        outboxes.remove(outbox.meta.id(), outbox);
        // Readers here read it from Redis from now on, as other instances do.
        local.drop(outbox.meta.id());
        if (outbox.isBehind()) LOG.info("Redis event log: stream {} is complete in Redis again", outbox.meta.id());
    }

    @Override
    public boolean writerGone(String streamId) {
        if (outboxes.containsKey(streamId) || local.find(streamId).isPresent()) return false; // written here
        byte[] writer = shared(() -> connection.sync().hget(metaKey(streamId), "instance"));
        return writer != null
                && shared(() -> connection.sync().exists(instanceKey(new String(writer, StandardCharsets.UTF_8)))) == 0;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public LoggedEvent adopt(String streamId) {
        Long won = connection.sync().eval(bytes(ADOPT), ScriptOutputType.INTEGER, new String[] {adoptedKey(streamId)},
                bytes(instanceId), bytes(String.valueOf(retention.plus(TOMBSTONE_TTL).toSeconds())),
                bytes(instanceKey("")));
        if (won == null || won != 1) return null;
        List<StreamMessage<String, byte[]>> last = connection.sync().xrevrange(eventsKey(streamId),
                Range.unbounded(), Limit.from(1));
        if (last.isEmpty()) {
            long first = find(streamId).map(StreamMeta::firstSeq).orElse(0L);
            adopted.put(streamId, new AtomicLong(first));
            writtenHere(streamId);
            return new LoggedEvent(first - 1, new byte[0]);
        }
        StreamMessage<String, byte[]> message = last.getFirst();
        if (message.getBody().containsKey("end")) return null; // it finished after all
        long seq = sequence(message.getId());
        adopted.put(streamId, new AtomicLong(seq + 1));
        writtenHere(streamId);
        return new LoggedEvent(seq, message.getBody().get("f"));
    }

    /**
     * An adopted stream is this instance's to write: readers wait on this instance's lease, and should this instance
     * go too before the stream is finished (a continuation takes as long as the response), it is adopted again.
     */
    private void writtenHere(String streamId) {
        connection.sync().hset(metaKey(streamId), "instance", bytes(instanceId));
        track(async.sadd(writingKey(instanceId), bytes(streamId)));
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
                // Adopted by another instance (ended, or being ended or continued there, and listed as its own) or
                // forgotten: nothing is left to do for it, by anyone, as this instance's.
                byte[] holder = sync.get(adoptedKey(streamId));
                boolean adoptedElsewhere = holder != null && !instance.equals(new String(holder, StandardCharsets.UTF_8));
                boolean settled = adoptedElsewhere || sync.exists(metaKey(streamId)) == 0;
                if (settled) sync.srem(writingKey(instance), stream);
                else orphans.add(streamId);
            }
            if (streams.isEmpty()) sync.srem(INSTANCES, listed);
        }
        return orphans;
    }

    @Override
    public boolean expired(String streamId) {
        if (local.expired(streamId)) return true;
        return beforeResponse(() -> connection.sync().exists(metaKey(streamId)) == 0
                && connection.sync().exists(knownKey(streamId)) == 1);
    }

    @Override
    public long lastSeq(String streamId) {
        if (local.find(streamId).isPresent()) return local.lastSeq(streamId);
        List<StreamMessage<String, byte[]>> last = beforeResponse(() -> connection.sync().xrevrange(eventsKey(streamId),
                Range.unbounded(), Limit.from(1)));
        if (last.isEmpty()) return find(streamId).map(StreamMeta::firstSeq).orElse(0L) - 1;
        // The end marker takes the id after the last event's.
        StreamMessage<String, byte[]> message = last.getFirst();
        return sequence(message.getId()) - (message.getBody().containsKey("end") ? 1 : 0);
    }

    @Override
    public Cursor read(String streamId, long after) {
        if (local.find(streamId).isPresent()) return local.read(streamId, after);
        // A stream that continues another is numbered from its first event: "from the start" is from there. (The
        // local copy knows this too, but it is dropped once Redis has the end, so a read just after a finish is here.)
        byte[] first = shared(() -> connection.sync().hget(metaKey(streamId), "first_seq"));
        long firstSeq = first == null ? 0 : Long.parseLong(new String(first, StandardCharsets.UTF_8));
        return new RedisLogCursor(shared(() -> client.connect(CODEC)), eventsKey(streamId), metaKey(streamId),
                Math.max(after, firstSeq - 1), LEASE.plus(LEASE_RENEWAL));
    }

    /** A lookup made before a response starts (the resume route's): 503 when Redis cannot answer. */
    private static <T> T beforeResponse(Supplier<T> read) {
        try {
            return read.get();
        } catch (RedisException e) {
            throw new GatewayException(503, "server_error", LogFollower.LOG_UNAVAILABLE, null, "The gateway cannot reach "
                    + "its shared stream log (Redis) to find this stream; try again in a moment.");
        }
    }

    /** A read of Redis; {@link EventLog.Unavailable} when Redis cannot answer. */
    static <T> T shared(Supplier<T> read) {
        try {
            return read.get();
        } catch (RedisException e) {
            throw new Unavailable("the shared event log (Redis) cannot be read: " + e.getMessage(), e);
        }
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
        redis.close();
        local.close();
    }

    private void track(RedisFuture<?> future) {
        future.whenComplete((result, failure) -> {
            if (failure != null && failedWrites.incrementAndGet() % 1000 == 1) {
                LOG.warn("Redis event log write failed ({} so far): {}", failedWrites.get(), failure.getMessage());
            }
        });
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes(script)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** An entry id {@code 0-(seq+1)} back to the event's sequence number. */
    static long sequence(String entryId) {
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
