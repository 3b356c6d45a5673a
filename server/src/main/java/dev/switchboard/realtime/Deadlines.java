package dev.switchboard.realtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The timer of every Realtime deadline and ping: one daemon thread; each task is cancelled when its session ends,
 * and a cancelled task leaves the queue at once. (By default it would stay until its time came, holding its
 * session's objects for as long as the maximum session length.)
 */
final class Deadlines {
    static final ScheduledExecutorService TIMER = removingCancelled(
            new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("realtime-deadlines").factory()));

    private Deadlines() {}

    private static ScheduledExecutorService removingCancelled(ScheduledThreadPoolExecutor executor) {
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
