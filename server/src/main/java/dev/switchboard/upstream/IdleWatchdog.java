package dev.switchboard.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends upstream bodies that fall silent. The JDK client's request timeout stops at the response headers, so a
 * stream that stalls afterwards would hang for ever; one sweeper thread checks every watched body four times a
 * second and closes those idle past their limit, which makes the blocked reader return.
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

    /** Wraps {@code body} so that each read resets its idle clock. */
    Watch watch(InputStream body, Duration idleLimit) {
        Watch watch = new Watch(body, idleLimit.toNanos());
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
    final class Watch implements Closeable {
        private final InputStream body;
        private final long limitNanos;
        private volatile long lastActivity = System.nanoTime();
        private volatile boolean timedOut;

        private Watch(InputStream body, long limitNanos) {
            this.body = body;
            this.limitNanos = limitNanos;
        }

        InputStream stream() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    int b = body.read();
                    lastActivity = System.nanoTime();
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = body.read(buffer, offset, length);
                    lastActivity = System.nanoTime();
                    return n;
                }

                @Override
                public void close() throws IOException {
                    Watch.this.close();
                    body.close();
                }
            };
        }

        boolean timedOut() {
            return timedOut;
        }

        private void expire() {
            timedOut = true;
            watches.remove(this);
            try {
                body.close();
            } catch (IOException ignored) {
                // the reader sees the end of the stream, and timedOut() says why
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
