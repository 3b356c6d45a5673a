package dev.switchboard.stream;

import dev.switchboard.observe.Exchange;

/** A stream being relayed now on this instance: its description, progress, and how to cancel it. */
public final class LiveStream {
    private final StreamMeta meta;
    private final Exchange exchange;
    private final Runnable cancelUpstream;
    private volatile boolean cancelled;
    private volatile boolean shuttingDown;

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

    /**
     * Ends the stream because the instance is stopping: the upstream request is closed, and the relay ends the
     * client's stream with a {@code gateway_shutting_down} error in the API's shape. The log is ended with it too,
     * unless the stream keeps running upstream and the log is shared: then the log is left for another instance to
     * continue, and the error tells the client how to resume there.
     */
    public void endForShutdown() {
        shuttingDown = true;
        cancelUpstream.run();
    }

    boolean shuttingDown() {
        return shuttingDown;
    }
}
