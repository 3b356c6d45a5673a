package dev.switchboard.emulator;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where scripted stalls wait: until {@link #releaseAll()} (a test done with the stall) or a time limit, so that
 * a stalled stream never outlives the test that asked for it.
 */
public final class StallGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long generation;

    /** Waits until released or {@code millis} pass. */
    void await(long millis) {
        lock.lock();
        try {
            long start = generation;
            long remaining = TimeUnit.MILLISECONDS.toNanos(millis);
            while (generation == start && remaining > 0) remaining = released.awaitNanos(remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    void releaseAll() {
        lock.lock();
        try {
            generation++;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
