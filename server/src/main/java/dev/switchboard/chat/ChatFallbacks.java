package dev.switchboard.chat;

import org.jdbi.v3.core.Jdbi;

/** The fallbacks on record: every instance sharing the database writes each one to the debug log. */
public final class ChatFallbacks {
    private ChatFallbacks() {}

    /** Chat calls answered by the fallback model in the last 24 hours. */
    public static long lastDay(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from openai_debug_events "
                + "where kind = 'fallback' and created_at > now() - interval '1 day'").mapTo(Long.class).one());
    }
}
