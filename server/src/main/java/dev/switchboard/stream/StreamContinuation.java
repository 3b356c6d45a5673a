package dev.switchboard.stream;

import dev.switchboard.observe.Exchange;

/**
 * How one API's stream that keeps running upstream (a background response) goes on when the instance relaying it
 * is gone: the instance that adopts the stream asks upstream for the events after the last one logged and appends
 * them to the same log, instead of ending the stream. Registered per endpoint with {@link StreamEndings}, by the
 * module that relays such streams.
 */
@FunctionalInterface
public interface StreamContinuation {
    /**
     * Upstream's events after {@code after}, or null when the stream cannot or need not be continued (no upstream id
     * in its first event, upstream refuses, its terminal event is logged already): it is then ended as any orphaned
     * stream is.
     *
     * @param meta  the stream
     * @param first the stream's first logged event (for a Responses stream, {@code response.created}, with the id)
     * @param last  the last event logged: when it is the terminal one, there is nothing to continue (null)
     * @param after its sequence number; the continuation's first event is the one after it
     */
    Continued resume(StreamMeta meta, SseFrame first, SseFrame last, long after);

    /**
     * An upstream stream that continues a logged one.
     *
     * @param exchange the continuation's own request, accounted as one row (its usage is the response's, which
     *                 only the terminal event carries, so the relay that was cut had none to count)
     */
    record Continued(UpstreamStream upstream, StreamDialect dialect, Exchange exchange) {}
}
