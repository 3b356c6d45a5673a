package dev.switchboard.stream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code : keep-alive} comments on streams that have been quiet for an interval. A blocking server only
 * notices a vanished client when it next writes, so without heartbeats a client that leaves while upstream is
 * thinking would keep a paid upstream request running. One sweeper serves every stream; each heartbeat is
 * written on its own virtual thread so one stuck client cannot delay the others.
 */
public final class Heartbeats implements AutoCloseable {
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
     * Keeps {@code writer} alive until the returned handle is closed; {@code onGone} runs (once, on a heartbeat
     * thread) if a heartbeat finds the client gone.
     */
    public AutoCloseable watch(SseWriter writer, Runnable onGone) {
        Beat beat = new Beat(writer, onGone);
        beats.add(beat);
        return () -> beats.remove(beat);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Beat beat : beats) {
            if (!beat.busy && now - beat.writer.lastWriteNanos() >= interval.toNanos()) {
                beat.busy = true;
                Thread.ofVirtual().name("heartbeat").start(beat::send);
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private final class Beat {
        final SseWriter writer;
        final Runnable onGone;
        volatile boolean busy;

        Beat(SseWriter writer, Runnable onGone) {
            this.writer = writer;
            this.onGone = onGone;
        }

        void send() {
            try {
                writer.comment("keep-alive");
            } catch (ClientGoneException e) {
                beats.remove(this);
                onGone.run();
            } finally {
                busy = false;
            }
        }
    }
}
