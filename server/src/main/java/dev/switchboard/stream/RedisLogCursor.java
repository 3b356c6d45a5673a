package dev.switchboard.stream;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Reads one stream of another instance from Redis, on a connection of its own (closed with the cursor), blocking in
 * {@code XREAD}. It never skips: an entry out of order, a failed read, or a stream whose registration stays gone
 * longer than its writer needs to put it back (Redis restarted empty and no writer is left) throws
 * {@link EventLog.Unavailable}.
 */
final class RedisLogCursor implements EventLog.Cursor {
    private final StatefulRedisConnection<String, byte[]> reader;
    private final String eventsKey;
    private final String metaKey;
    private final Duration lostAfter;
    private final Deque<StreamMessage<String, byte[]>> buffered = new ArrayDeque<>();
    private long next;
    /** Since when the stream's registration has been missing, or 0. */
    private long unregisteredSince;

    RedisLogCursor(StatefulRedisConnection<String, byte[]> reader, String eventsKey, String metaKey, long after,
                   Duration lostAfter) {
        this.reader = reader;
        this.eventsKey = eventsKey;
        this.metaKey = metaKey;
        this.next = after + 1;
        this.lostAfter = lostAfter;
    }

    @Override
    public LoggedEvent next(Duration wait) {
        if (buffered.isEmpty()) {
            List<StreamMessage<String, byte[]>> messages = RedisEventLog.shared(() -> reader.sync().xread(
                    XReadArgs.Builder.block(Math.max(1, wait.toMillis())).count(256),
                    XReadArgs.StreamOffset.from(eventsKey, "0-" + next)));
            if (messages == null || messages.isEmpty()) {
                checkRegistered();
                return null;
            }
            buffered.addAll(messages);
        }
        StreamMessage<String, byte[]> message = buffered.removeFirst();
        long seq = RedisEventLog.sequence(message.getId());
        // Appends never leave a gap; a log that has one anyway is reported, not skipped over.
        if (seq != next) throw new EventLog.Unavailable("event " + next + " of " + eventsKey + " is missing", null);
        next++;
        if (message.getBody().containsKey("end")) return LoggedEvent.END;
        return new LoggedEvent(seq, message.getBody().get("f"));
    }

    /** A writer puts its registration back within a renewal of Redis's return; gone for longer, it is lost. */
    private void checkRegistered() {
        boolean registered = RedisEventLog.shared(() -> reader.sync().exists(metaKey)) == 1;
        long now = System.nanoTime();
        if (registered) {
            unregisteredSince = 0;
        } else if (unregisteredSince == 0) {
            unregisteredSince = now;
        } else if (now - unregisteredSince > lostAfter.toNanos()) {
            throw new EventLog.Unavailable(metaKey + " is no longer in Redis", null);
        }
    }

    @Override
    public void close() {
        reader.close();
    }
}
