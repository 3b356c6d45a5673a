package dev.switchboard.debug;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes records from the request path without blocking and writes them in batches on its own thread. When a
 * write fails because the database cannot be reached, the batch is kept and retried with growing pauses; records
 * keep queueing meanwhile. When the database answers and refuses the batch, one record is at fault: the records
 * are written one by one, and each one the database still refuses is dead-lettered (logged by its label, counted,
 * and kept among the last {@link #DEAD_LETTERS_KEPT}) so the rest, and everything queued after it, is written.
 * Nothing is lost silently: a record refused because the queue is full is counted and logged too.
 */
public final class BatchWriter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    static final int DEAD_LETTERS_KEPT = 100;

    /**
     * Writes one batch, all or nothing, and throws when it could not: the batch is retried while the database is
     * unreachable, or written record by record when the database refused it. Must tolerate a batch written twice.
     */
    @FunctionalInterface
    public interface Sink<T> {
        void write(List<T> batch) throws Exception;
    }

    private final String name;
    private final BlockingQueue<T> queue;
    private final int batchSize;
    private final Duration linger;
    private final Sink<T> sink;
    private final Thread thread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final Deque<DeadLetter> deadLetters = new ArrayDeque<>();
    private final Function<? super T, String> label;
    private volatile boolean closing;
    private volatile long lastDropWarning;

    /** A record the database refused on its own, by its label, with the reason (no record values). */
    public record DeadLetter(String label, String reason, Instant at) {}

    public BatchWriter(String name, int capacity, int batchSize, Duration linger, Sink<T> sink) {
        this(name, capacity, batchSize, linger, sink, record -> "a record");
    }

    /** @param label names a record in a log line (its id): never its values, which may be client data */
    public BatchWriter(String name, int capacity, int batchSize, Duration linger, Sink<T> sink, Function<? super T, String> label) {
        this.name = name;
        this.label = label;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.linger = linger;
        this.sink = sink;
        this.thread = Thread.ofPlatform().daemon().name("batch-writer-" + name).start(this::run);
    }

    /** Queues a record; never blocks. False (and counted) when the queue is full. */
    public boolean offer(T record) {
        if (queue.offer(record)) return true;
        dropped.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastDropWarning > TimeUnit.MINUTES.toNanos(1)) {
            lastDropWarning = now;
            LOG.warn("{}: queue full ({} waiting), {} record(s) dropped so far; is the database down?", name,
                    queue.size(), dropped.get());
        }
        return false;
    }

    public int depth() {
        return queue.size();
    }

    public long written() {
        return written.get();
    }

    /** Batches that failed at least once and were retried. */
    public long retried() {
        return retried.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Records the database refused on their own and that were given up. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** The last records given up, oldest first. */
    public List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            return List.copyOf(deadLetters);
        }
    }

    private void run() {
        List<T> batch = new ArrayList<>(batchSize);
        while (!closing || !queue.isEmpty()) {
            try {
                T first = queue.poll(linger.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                writeWithRetry(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (!closing) continue;
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void writeWithRetry(List<T> batch) throws InterruptedException {
        List<T> pending = batch;
        long pause = 100;
        while (true) {
            Exception failure;
            try {
                sink.write(pending);
                written.addAndGet(pending.size());
                return;
            } catch (Exception e) {
                failure = e;
            }
            if (!WriteFailure.unavailable(failure)) {
                // The database answered and refused: retrying this batch as it is would fail forever (issue 15).
                pending = writeOneByOne(pending);
                if (pending.isEmpty()) return;
            }
            if (closing) {
                LOG.error("{}: stopping with {} record(s) unwritten: {}", name, pending.size() + queue.size(),
                        WriteFailure.reason(failure));
                queue.clear();
                return;
            }
            retried.incrementAndGet();
            LOG.warn("{}: writing {} record(s) failed ({}); retrying in {} ms with {} more waiting", name,
                    pending.size(), WriteFailure.reason(failure), pause, queue.size());
            Thread.sleep(pause);
            pause = Math.min(pause * 2, MAX_BACKOFF.toMillis());
        }
    }

    /**
     * Writes each record alone and dead-letters those the database refuses. Returns the records not yet written
     * when the database became unreachable midway (to be retried), else an empty list.
     */
    private List<T> writeOneByOne(List<T> batch) {
        for (int i = 0; i < batch.size(); i++) {
            T record = batch.get(i);
            try {
                sink.write(List.of(record));
                written.incrementAndGet();
            } catch (Exception e) {
                if (WriteFailure.unavailable(e)) return new ArrayList<>(batch.subList(i, batch.size()));
                deadLetter(record, e);
            }
        }
        return List.of();
    }

    private void deadLetter(T record, Exception failure) {
        deadLettered.incrementAndGet();
        DeadLetter letter = new DeadLetter(safeLabel(record), WriteFailure.reason(failure), Instant.now());
        synchronized (deadLetters) {
            if (deadLetters.size() == DEAD_LETTERS_KEPT) deadLetters.removeFirst();
            deadLetters.addLast(letter);
        }
        LOG.error("{}: the database refused {} ({}); it is dead-lettered and the others are written", name,
                letter.label(), letter.reason());
    }

    private String safeLabel(T record) {
        try {
            return label.apply(record);
        } catch (RuntimeException e) {
            return "a record";
        }
    }

    /** Writes what is queued (for up to five seconds), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }
}
