package dev.switchboard.stream;

import java.time.Clock;
import java.time.Duration;

/** Creates event logs; the implementations stay package-private. */
public final class EventLogs {
    private EventLogs() {}

    /**
     * A single instance's log, in memory. Finished streams are kept for {@code retention}, or less when their
     * events would take more than a quarter of the heap.
     */
    public static EventLog inMemory(Duration retention) {
        return new MemoryEventLog(retention, Runtime.getRuntime().maxMemory() / 4, Clock.systemUTC());
    }

    /** Logs in Redis Streams at {@code url}, shared by every gateway instance that uses the same Redis. */
    public static EventLog redis(String url, Duration retention) {
        return new RedisEventLog(url, retention);
    }
}
