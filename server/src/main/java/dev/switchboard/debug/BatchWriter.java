package dev.switchboard.debug;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes records from the request path without blocking and writes them in batches on its own thread. When a
 * write fails (the database is down) the batch is kept and retried with growing pauses; records keep queueing
 * meanwhile. Nothing is lost silently: a record refused because the queue is full is counted and logged.
 */
public final class BatchWriter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** Writes one batch, all or nothing; throws to have it retried. Must tolerate a batch written twice. */
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
    private volatile boolean closing;
    private volatile long lastDropWarning;

    public BatchWriter(String name, int capacity, int batchSize, Duration linger, Sink<T> sink) {
        this.name = name;
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
        long pause = 100;
        while (true) {
            try {
                sink.write(batch);
                written.addAndGet(batch.size());
                return;
            } catch (Exception e) {
                if (closing) {
                    LOG.error("{}: stopping with {} record(s) unwritten: {}", name, batch.size() + queue.size(), e.getMessage());
                    queue.clear();
                    return;
                }
                retried.incrementAndGet();
                LOG.warn("{}: writing {} record(s) failed ({}); retrying in {} ms with {} more waiting", name,
                        batch.size(), e.getMessage(), pause, queue.size());
                Thread.sleep(pause);
                pause = Math.min(pause * 2, MAX_BACKOFF.toMillis());
            }
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
