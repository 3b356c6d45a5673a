package dev.switchboard.realtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The timer of every Realtime deadline and ping: one daemon thread; each task is cancelled when its session ends. */
final class Deadlines {
    static final ScheduledExecutorService TIMER =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("realtime-deadlines").factory());

    private Deadlines() {}
}
