package dev.switchboard;

import java.time.Duration;
import java.util.function.BooleanSupplier;

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
}
