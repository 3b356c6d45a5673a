package dev.switchboard.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Samples a figure (resident memory, heap in use) every 250 ms on a virtual thread while a workload runs, and keeps
 * the peak. A sample that fails (the supplier returns a negative number) is skipped.
 */
final class PeakSampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong(-1);
    private final Thread thread;
    private volatile boolean running = true;

    PeakSampler(LongSupplier figure) {
        thread = Thread.ofVirtual().start(() -> {
            while (running) {
                peak.accumulateAndGet(figure.getAsLong(), Math::max);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The highest sample so far, or -1 if none succeeded. */
    long peak() {
        return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2000);
    }
}
