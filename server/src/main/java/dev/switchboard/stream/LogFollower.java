package dev.switchboard.stream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a stream's logged events to one client, from a position on, then live until the stream ends or the
 * client leaves. Used by the resume route and by streams whose producer runs apart from the client (runs).
 *
 * <p>A stream whose writer is gone (its instance was killed, or stopped and left it) would never end: when the log
 * says so, one follower among all instances adopts the stream. A stream that keeps running upstream (a background
 * response) and whose endpoint registered a {@link StreamContinuation} is continued from upstream by that instance;
 * any other is ended with an error in its endpoint's shape, so every reader, now and later, sees the same
 * well-formed end once. An {@link OrphanSweeper} does the same for streams no client comes back to.
 */
public final class LogFollower {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);
    /** The code and message a stream whose writer is gone ends with; runs record them as their failure. */
    public static final String WRITER_GONE = "gateway_instance_lost";
    public static final String GONE_MESSAGE = "The gateway instance relaying this stream stopped before the stream was "
            + "complete; the events above are all it sent. Send the request again (a background response can be "
            + "retrieved from /v1/responses/{id}).";
    /** The code a reader ends its client's stream with when the log cannot be read any further. */
    public static final String LOG_UNAVAILABLE = "stream_log_unavailable";
    public static final String UNAVAILABLE_MESSAGE = "The gateway could not read the rest of this stream from its shared log "
            + "(Redis is unreachable or lost it); the events above are all this reader got. Resume later with "
            + "Last-Event-ID, or send the request again.";

    private final EventLog log;
    private final Heartbeats heartbeats;
    private final StreamEndings endings;
    private final Adoptions adoptions;
    private final StreamContinuer continuer;

    /** Told of each stream this instance ended for a writer that was gone, once per stream across instances. */
    @FunctionalInterface
    public interface Adoptions {
        /**
         * @param meta     the stream
         * @param relayed  how many events its writer had logged (the closing ones not counted, as a relay does not
         *                 count the error event it ends a failed stream with)
         */
        void ended(StreamMeta meta, long relayed);
    }

    /** A follower that ends every orphaned stream, continuing none. */
    public LogFollower(EventLog log, Heartbeats heartbeats, StreamEndings endings, Adoptions adoptions) {
        this(log, heartbeats, endings, adoptions, null);
    }

    /** @param relay continues the orphaned streams whose endpoint registered a {@link StreamContinuation} */
    public LogFollower(EventLog log, Heartbeats heartbeats, StreamEndings endings, Adoptions adoptions,
                       StreamRelay relay) {
        this.log = log;
        this.heartbeats = heartbeats;
        this.endings = endings;
        this.adoptions = adoptions;
        this.continuer = new StreamContinuer(log, endings, relay);
    }

    public EventLog log() {
        return log;
    }

    /** Where modules register how their streams end when their writer is gone. */
    public StreamEndings endings() {
        return endings;
    }

    /**
     * Blocks until the stream has ended (every event written) or the client has gone. A log that cannot be read any
     * further ends the client's stream with a {@link #LOG_UNAVAILABLE} error in its endpoint's shape, never with a
     * silent end that would look complete.
     */
    public void follow(String streamId, long after, SseWriter client) throws InterruptedException {
        byte[] lastWritten = null;
        try (EventLog.Cursor cursor = log.read(streamId, after); AutoCloseable ignored = heartbeats.watch(client)) {
            while (!client.gone()) {
                LoggedEvent event = cursor.next(POLL);
                if (event == LoggedEvent.END) return;
                if (event != null) {
                    client.write(event.seq(), event.frame());
                    lastWritten = event.frame();
                } else if (log.writerGone(streamId)) {
                    endOrphan(streamId);
                }
            }
        } catch (ClientGoneException e) {
            // the reader left; the stream itself is unaffected
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // The log unreadable (Redis away, a gap) or anything else: the client is told, never left with a clean end.
            endUnreadable(streamId, lastWritten, client, e);
        }
    }

    /**
     * Continues or ends a stream whose writer is gone, if this instance wins it; a cursor then reads the rest or the
     * ending like any event. A writer that is gone leaves no more events in flight: what it logged before its lease
     * lapsed is all there is, and a continuation starts after it.
     */
    void endOrphan(String streamId) {
        LoggedEvent last = log.adopt(streamId);
        if (last == null) return; // another instance is continuing or ending it, or it finished after all
        StreamMeta meta = log.find(streamId).orElse(null);
        if (meta != null && continuer.tryContinue(meta, last)) return;
        String endpoint = meta == null ? "" : meta.endpoint();
        SseFrame lastFrame = last.seq() < 0 ? null : parse(last.frame());
        StreamEnding ending = endings.forEndpoint(endpoint);
        for (byte[] frame : ending.closingEvents(WRITER_GONE, GONE_MESSAGE, lastFrame)) log.append(streamId, frame);
        log.finish(streamId);
        if (meta == null) return;
        adoptions.ended(meta, last.seq() + 1);
        try {
            ending.ended(meta);
        } catch (RuntimeException e) {
            // The stream has ended for its readers; only its run's record keeps its last status.
            LOG.warn("Stream {} of a gone instance was ended, but its records were not: {}", streamId, e.getMessage());
        }
    }

    /** Ends this client's stream (not the log's: the writer may go on) with an error in its endpoint's shape. */
    private void endUnreadable(String streamId, byte[] lastWritten, SseWriter client, Exception why) {
        if (why instanceof EventLog.Unavailable) {
            LOG.warn("Stream {}: its log cannot be read ({}); the reader's stream ends with {}", streamId, why.getMessage(),
                    LOG_UNAVAILABLE);
        } else {
            LOG.error("Stream {}: following its log failed; the reader's stream ends with {}", streamId, LOG_UNAVAILABLE, why);
        }
        String endpoint;
        try {
            endpoint = log.find(streamId).map(StreamMeta::endpoint).orElse("");
        } catch (RuntimeException unreadable) {
            endpoint = "";
        }
        SseFrame last = lastWritten == null ? null : parse(lastWritten);
        try {
            // No id: these events are not in the log, and a resume must not skip past what they stand for.
            for (byte[] frame : endings.forEndpoint(endpoint).closingEvents(LOG_UNAVAILABLE, UNAVAILABLE_MESSAGE, last)) {
                client.write(frame);
            }
        } catch (ClientGoneException gone) {
            // the reader left meanwhile
        }
    }

    static SseFrame parse(byte[] frame) {
        try {
            return new SseReader(new ByteArrayInputStream(frame)).next();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }
}
