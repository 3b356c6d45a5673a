package dev.switchboard.stream;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continues an adopted stream from upstream, when its endpoint registered a {@link StreamContinuation} and the stream
 * keeps running upstream: the relay appends upstream's events to the stream's log, as they arrive, until the
 * terminal event, and the stream's readers read them as they would have read its first relay's.
 */
final class StreamContinuer {
    private static final Logger LOG = LoggerFactory.getLogger(StreamContinuer.class);
    /** The first event is logged already; a read of it only waits for Redis's answer. */
    private static final Duration FIRST_EVENT_WAIT = Duration.ofMillis(100);

    private final EventLog log;
    private final StreamEndings endings;
    private final StreamRelay relay;

    StreamContinuer(EventLog log, StreamEndings endings, StreamRelay relay) {
        this.log = log;
        this.endings = endings;
        this.relay = relay;
    }

    /**
     * Starts continuing {@code meta}'s stream after {@code last}, the last event its writer logged; false when it
     * cannot be (not resumable, nothing logged, no continuation for its endpoint, upstream refuses), and the caller
     * ends it instead.
     */
    boolean tryContinue(StreamMeta meta, LoggedEvent last) {
        if (relay == null || !meta.resumable() || last.seq() < meta.firstSeq()) return false;
        StreamContinuation continuation = endings.continuationFor(meta.endpoint());
        if (continuation == null) return false;
        StreamContinuation.Continued continued;
        try {
            SseFrame first = firstEvent(meta);
            continued = first == null ? null : continuation.resume(meta, first, LogFollower.parse(last.frame()), last.seq());
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            LOG.warn("Stream {} of a gone instance cannot be continued ({}); it is ended", meta.id(), e.getMessage());
            return false;
        }
        if (continued == null) return false;
        LOG.info("Stream {} of a gone instance continues here from upstream, after event {}", meta.id(), last.seq());
        relay.continueAdopted(meta, continued).whenComplete((outcome, failure) ->
                LOG.info("Stream {}, continued from upstream, ended: {}", meta.id(), failure == null ? outcome : failure.toString()));
        return true;
    }

    /** Read once, at adoption, rather than watched for on the relay's hot path. */
    private SseFrame firstEvent(StreamMeta meta) throws InterruptedException {
        try (EventLog.Cursor cursor = log.read(meta.id(), meta.firstSeq() - 1)) {
            LoggedEvent first = cursor.next(FIRST_EVENT_WAIT);
            return first == null || first == LoggedEvent.END ? null : LogFollower.parse(first.frame());
        }
    }
}
