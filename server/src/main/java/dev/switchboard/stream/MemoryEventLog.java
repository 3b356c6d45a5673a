package dev.switchboard.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The event log of a single gateway instance, in memory. Finished streams are dropped after the retention, or
 * earlier, oldest first, when the events kept exceed a byte budget, so that memory stays bounded under any load.
 * The ids of dropped streams are remembered a while longer, to answer 410 rather than 404; those too are bounded,
 * in time and in number, since a busy gateway forgets millions of streams a day.
 */
final class MemoryEventLog implements EventLog {
    private static final Duration TOMBSTONE_RETENTION = Duration.ofHours(24);
    /** About 8 MiB of ids; a stream forgotten before the newest this many is answered 404 instead of 410. */
    static final int MAX_TOMBSTONES = 50_000;

    private record Tombstone(String streamId, Instant at) {}

    private final Map<String, MemoryStream> streams = new ConcurrentHashMap<>();
    private final Set<String> expired = ConcurrentHashMap.newKeySet();
    private final Deque<Tombstone> tombstonesOldestFirst = new ArrayDeque<>(); // guarded by this
    private final int maxTombstones;
    private final Queue<String> finishedOldestFirst = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final long maxBytes;
    private final Duration retention;
    private final Clock clock;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "event-log-retention");
        t.setDaemon(true);
        return t;
    });

    MemoryEventLog(Duration retention, long maxBytes, Clock clock) {
        this(retention, maxBytes, clock, MAX_TOMBSTONES);
    }

    MemoryEventLog(Duration retention, long maxBytes, Clock clock, int maxTombstones) {
        this.maxTombstones = maxTombstones;
        this.retention = retention;
        this.maxBytes = maxBytes;
        this.clock = clock;
        long period = Math.max(1, Math.min(retention.toSeconds(), 10));
        sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.SECONDS);
    }

    @Override
    public void create(StreamMeta meta) {
        streams.put(meta.id(), new MemoryStream(meta));
    }

    @Override
    public long append(String streamId, byte[] frame) {
        bytes.addAndGet(frame.length);
        return stream(streamId).append(frame);
    }

    /** Stored as soon as appended: this log is this instance's alone. */
    @Override
    public long append(String streamId, byte[] frame, Runnable stored) {
        long seq = append(streamId, frame);
        stored.run();
        return seq;
    }

    @Override
    public void finish(String streamId) {
        MemoryStream stream = streams.get(streamId);
        if (stream == null) return;
        stream.finish(clock.instant());
        finishedOldestFirst.add(streamId);
        while (bytes.get() > maxBytes) {
            String oldest = finishedOldestFirst.poll();
            if (oldest == null) break;
            forget(oldest, clock.instant());
        }
    }

    /** How many events a stream has now; -1 when it is not kept. */
    long size(String streamId) {
        MemoryStream stream = streams.get(streamId);
        return stream == null ? -1 : stream.size();
    }

    /**
     * Forgets a finished stream that is kept elsewhere too (the shared log has all of it), without remembering it as
     * expired: its readers find it there. A cursor already reading it reads on.
     */
    void drop(String streamId) {
        MemoryStream removed = streams.get(streamId);
        if (removed == null || removed.finishedAt() == null || !streams.remove(streamId, removed)) return;
        bytes.addAndGet(-removed.bytes());
    }

    /** Bytes of events kept now. */
    long bytes() {
        return bytes.get();
    }

    @Override
    public Optional<StreamMeta> find(String streamId) {
        return Optional.ofNullable(streams.get(streamId)).map(s -> s.meta);
    }

    @Override
    public boolean expired(String streamId) {
        return expired.contains(streamId);
    }

    @Override
    public long lastSeq(String streamId) {
        return stream(streamId).lastSeq();
    }

    @Override
    public Cursor read(String streamId, long after) {
        MemoryStream stream = stream(streamId);
        return new Cursor() {
            long next = Math.max(after + 1, stream.first);

            @Override
            public LoggedEvent next(Duration wait) throws InterruptedException {
                LoggedEvent event = stream.await(next, wait);
                if (event != null && event != LoggedEvent.END) next++;
                return event;
            }
        };
    }

    /** Forgets finished streams past the retention, remembering their ids a while longer to answer 410. */
    void sweep() {
        Instant now = clock.instant();
        for (MemoryStream s : streams.values()) {
            Instant finished = s.finishedAt();
            if (finished != null && finished.plus(retention).isBefore(now)) forget(s.meta.id(), now);
        }
        trimTombstones(now);
    }

    private void forget(String streamId, Instant now) {
        MemoryStream removed = streams.remove(streamId);
        if (removed == null) return;
        bytes.addAndGet(-removed.bytes());
        remember(streamId, now);
    }

    private synchronized void remember(String streamId, Instant now) {
        expired.add(streamId);
        tombstonesOldestFirst.addLast(new Tombstone(streamId, now));
        trimTombstones(now);
    }

    /** Drops the oldest ids while there are too many or they are past their retention. */
    private synchronized void trimTombstones(Instant now) {
        for (Tombstone oldest; (oldest = tombstonesOldestFirst.peekFirst()) != null; ) {
            boolean tooMany = tombstonesOldestFirst.size() > maxTombstones;
            if (!tooMany && !oldest.at().plus(TOMBSTONE_RETENTION).isBefore(now)) return;
            tombstonesOldestFirst.pollFirst();
            expired.remove(oldest.streamId());
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private MemoryStream stream(String streamId) {
        MemoryStream stream = streams.get(streamId);
        if (stream == null) throw new IllegalStateException("no stream " + streamId);
        return stream;
    }

    private static final class MemoryStream {
        final StreamMeta meta;
        /** The sequence number of {@code frames.get(0)}. */
        final long first;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<byte[]> frames = new ArrayList<>();
        private long bytes;
        private Instant finishedAt;

        MemoryStream(StreamMeta meta) {
            this.meta = meta;
            this.first = meta.firstSeq();
        }

        long append(byte[] frame) {
            lock.lock();
            try {
                frames.add(frame);
                bytes += frame.length;
                changed.signalAll();
                return first + frames.size() - 1;
            } finally {
                lock.unlock();
            }
        }

        long lastSeq() {
            lock.lock();
            try {
                return first + frames.size() - 1;
            } finally {
                lock.unlock();
            }
        }

        void finish(Instant at) {
            lock.lock();
            try {
                if (finishedAt == null) finishedAt = at;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        long size() {
            lock.lock();
            try {
                return frames.size();
            } finally {
                lock.unlock();
            }
        }

        long bytes() {
            lock.lock();
            try {
                return bytes;
            } finally {
                lock.unlock();
            }
        }

        Instant finishedAt() {
            lock.lock();
            try {
                return finishedAt;
            } finally {
                lock.unlock();
            }
        }

        LoggedEvent await(long seq, Duration wait) throws InterruptedException {
            lock.lock();
            try {
                long remaining = wait.toNanos();
                long index = seq - first;
                while (frames.size() <= index && finishedAt == null) {
                    if (remaining <= 0) return null;
                    remaining = changed.awaitNanos(remaining);
                }
                return frames.size() > index ? new LoggedEvent(seq, frames.get((int) index)) : LoggedEvent.END;
            } finally {
                lock.unlock();
            }
        }
    }
}
