package dev.switchboard.stream;

import java.time.Duration;

/**
 * Writes a stream's logged events to one client, from a position on, then live until the stream ends or the
 * client leaves. Used by the resume route and by streams whose producer runs apart from the client (runs).
 */
public final class LogFollower {
    private static final Duration POLL = Duration.ofSeconds(1);

    private final EventLog log;
    private final Heartbeats heartbeats;

    public LogFollower(EventLog log, Heartbeats heartbeats) {
        this.log = log;
        this.heartbeats = heartbeats;
    }

    public EventLog log() {
        return log;
    }

    /** Blocks until the stream has ended (every event written) or the client has gone. */
    public void follow(String streamId, long after, SseWriter client) throws InterruptedException {
        try (EventLog.Cursor cursor = log.read(streamId, after); AutoCloseable ignored = heartbeats.watch(client, () -> { })) {
            while (!client.gone()) {
                LoggedEvent event = cursor.next(POLL);
                if (event == LoggedEvent.END) return;
                if (event != null) client.write(event.seq(), event.frame());
            }
        } catch (ClientGoneException e) {
            // the reader left; the stream itself is unaffected
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("following stream " + streamId, e);
        }
    }
}
