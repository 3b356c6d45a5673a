package dev.switchboard;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting for a condition instead of sleeping for a guess. */
public final class Await {
    private Await() {}

    /** Waits for {@code condition}, checking every 50 ms; fails when it does not hold within {@code limit}. */
    public static void until(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within " + limit);
            Thread.sleep(50);
        }
    }

    /** Asks {@code probe} every 50 ms until its answer is {@code done}, and returns that answer; fails after {@code limit}. */
    public static <T> T result(Duration limit, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value)) return value;
            if (System.nanoTime() > deadline) throw new AssertionError("not done within " + limit + "; last: " + value);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
