package dev.switchboard.stream;

import dev.switchboard.observe.Exchange;

/** A stream being relayed now on this instance: its description, progress, and how to cancel it. */
public final class LiveStream {
    private final StreamMeta meta;
    private final Exchange exchange;
    private final Runnable cancelUpstream;
    private volatile boolean cancelled;

    LiveStream(StreamMeta meta, Exchange exchange, Runnable cancelUpstream) {
        this.meta = meta;
        this.exchange = exchange;
        this.cancelUpstream = cancelUpstream;
    }

    public StreamMeta meta() {
        return meta;
    }

    public Exchange exchange() {
        return exchange;
    }

    /** Stops the upstream request; the relay then ends the client's stream with a {@code stream_cancelled} error. */
    public void cancel() {
        cancelled = true;
        cancelUpstream.run();
    }

    boolean cancelled() {
        return cancelled;
    }
}
