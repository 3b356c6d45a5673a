package dev.switchboard.upstream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends upstream bodies that fall silent. The HTTP client's own idle timeout also runs while the gateway waits for
 * response headers, where a model may rightly think for minutes; this one starts with the body and measures the time
 * since the gateway last read from it. One sweeper thread checks every watched body four times a second and ends
 * those idle past their limit, which fails their reader's next read.
 */
final class IdleWatchdog implements AutoCloseable {
    private static final long SWEEP_MILLIS = 250;

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upstream-idle-watchdog");
        t.setDaemon(true);
        return t;
    });

    IdleWatchdog() {
        sweeper.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Watches a body from now on; {@code expire} ends it (it must be safe from any thread). */
    Watch watch(Duration idleLimit, Runnable expire) {
        Watch watch = new Watch(idleLimit.toNanos(), expire);
        watches.add(watch);
        return watch;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Watch watch : watches) {
            if (now - watch.lastActivity > watch.limitNanos) watch.expire();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    /** One watched body. */
    final class Watch implements AutoCloseable {
        private final long limitNanos;
        private final Runnable expire;
        private volatile long lastActivity = System.nanoTime();
        private volatile boolean timedOut;

        private Watch(long limitNanos, Runnable expire) {
            this.limitNanos = limitNanos;
            this.expire = expire;
        }

        /** The body was read from: its idle clock starts again. */
        void touch() {
            lastActivity = System.nanoTime();
        }

        boolean timedOut() {
            return timedOut;
        }

        private void expire() {
            timedOut = true;
            watches.remove(this);
            expire.run();
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
