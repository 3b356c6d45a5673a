package dev.switchboard.chat;

import dev.switchboard.debug.RequestLogRepository;
import java.time.Duration;

/** The fallbacks on record: every instance sharing the database writes each one to the debug log. */
public final class ChatFallbacks {
    private ChatFallbacks() {}

    /** Chat calls answered by the fallback model in the last 24 hours. */
    public static long lastDay(RequestLogRepository log) {
        return log.debugEventsWithin("fallback", Duration.ofDays(1));
    }
}
