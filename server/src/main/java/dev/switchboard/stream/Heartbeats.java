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
    private final Set<Beat> beats = ConcurrentHashMap.newKeySet();
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
     * Keeps {@code writer} alive until the returned handle is closed; {@code onGone} runs (once) if a heartbeat finds
     * the client gone.
     */
    public AutoCloseable watch(SseWriter writer, Runnable onGone) {
        Beat beat = new Beat(writer, onGone);
        beats.add(beat);
        return () -> beats.remove(beat);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Beat beat : beats) {
            if (beat.writer.idle() && now - beat.writer.lastWriteNanos() >= interval.toNanos()) beat.send();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private final class Beat implements Callback {
        final SseWriter writer;
        final Runnable onGone;

        Beat(SseWriter writer, Runnable onGone) {
            this.writer = writer;
            this.onGone = onGone;
        }

        void send() {
            writer.send(KEEP_ALIVE, this);
        }

        @Override
        public void failed(Throwable gone) {
            if (beats.remove(this)) onGone.run();
        }
    }
}
