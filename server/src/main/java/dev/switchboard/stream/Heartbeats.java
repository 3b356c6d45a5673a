package dev.switchboard.stream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;

/**
 * Sends {@code : keep-alive} comments on streams that have been quiet for an interval. A server notices a vanished
 * HTTP/1.1 client only when it next writes, so without heartbeats a client that leaves while upstream is thinking
 * would keep a paid upstream request running. One sweeper serves every stream; a heartbeat is sent without waiting
 * (one stuck client cannot delay the others), and only to a writer with nothing else under way.
 */
public final class Heartbeats implements AutoCloseable {
    private static final byte[] KEEP_ALIVE = SseWriter.commentLine("keep-alive");

    private final Duration interval;
    private final Set<SseWriter> writers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sse-heartbeats");
        t.setDaemon(true);
        return t;
    });

    public Heartbeats(Duration interval) {
        this.interval = interval;
        long tick = Math.max(50, interval.toMillis() / 4);
        sweeper.scheduleAtFixedRate(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    public Duration interval() {
        return interval;
    }

    /**
     * Keeps {@code writer} alive until the returned handle is closed. A heartbeat that finds the client gone tells the
     * writer's {@linkplain SseWriter#onGone listeners}, as any failed write does.
     */
    public AutoCloseable watch(SseWriter writer) {
        writers.add(writer);
        return () -> writers.remove(writer);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (SseWriter writer : writers) {
            if (writer.gone()) writers.remove(writer);
            else if (writer.idle() && now - writer.lastWriteNanos() >= interval.toNanos()) writer.send(KEEP_ALIVE, Callback.NOOP);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
