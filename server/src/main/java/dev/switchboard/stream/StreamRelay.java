package dev.switchboard.stream;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.GatewayException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Relays upstream event streams: each event is appended to the stream's log (so that clients can resume) and
 * written to the client that asked for it, with an {@code id:} line, its bytes exactly as upstream sent them, one
 * flush per event. Whatever happens, the stream ends well-formed: with upstream's terminal event, or with an
 * error event in the API's shape. When the client leaves, a non-resumable stream cancels its upstream request;
 * a resumable one keeps reading into the log for a later reader. At shutdown, a resumable stream whose log is shared
 * is left unfinished there for another instance to continue ({@link RelayOutcome#HANDED_OVER}); that instance
 * {@linkplain #continueAdopted continues} it with the same relay, writing to the log alone.
 */
public final class StreamRelay {
    private final EventLog log;
    private final Heartbeats heartbeats;
    private final LiveStreams live;

    public StreamRelay(EventLog log, Heartbeats heartbeats, LiveStreams live) {
        this.log = log;
        this.heartbeats = heartbeats;
        this.live = live;
    }

    /**
     * Runs on the calling thread until the stream ends.
     *
     * @param dropUsageOnly drop events that carry only usage (the gateway asked for them, the client did not)
     */
    public RelayOutcome relay(StreamMeta meta, UpstreamStream upstream, SseWriter client, StreamDialect dialect,
                              boolean dropUsageOnly, Exchange exchange) {
        log.create(meta);
        return run(meta, upstream, client, dialect, dropUsageOnly, exchange);
    }

    /**
     * Continues, on the calling thread until it ends, a stream adopted from an instance that is gone: upstream's
     * events are appended to the same log, for the stream's readers, as if its first relay had gone on.
     */
    RelayOutcome continueAdopted(StreamMeta meta, StreamContinuation.Continued continued) {
        return run(meta, continued.upstream(), null, continued.dialect(), false, continued.exchange());
    }

    /** @param client the client that asked for the stream, or null when only the log's readers read it */
    private RelayOutcome run(StreamMeta meta, UpstreamStream upstream, SseWriter client, StreamDialect dialect,
                             boolean dropUsageOnly, Exchange exchange) {
        LiveStream stream = new LiveStream(meta, exchange, upstream.cancel());
        AtomicBoolean clientGone = new AtomicBoolean();
        live.add(stream);
        AutoCloseable heartbeat = client == null ? () -> { } : heartbeats.watch(client, () -> {
            clientGone.set(true);
            if (!meta.resumable()) upstream.cancel().run();
        });
        RelayOutcome outcome = null;
        try {
            outcome = pump(stream, upstream, client, dialect, dropUsageOnly, exchange, clientGone);
            exchange.finish(outcome.name().toLowerCase(), null);
            return outcome;
        } finally {
            closeQuietly(heartbeat);
            // A stream handed over stays unfinished: the instance that adopts it appends the rest.
            if (outcome != RelayOutcome.HANDED_OVER) log.finish(meta.id());
            live.remove(stream);
            if (outcome == RelayOutcome.COMPLETED) {
                // The body's last chunk follows the terminal event; reading it lets the connection be reused.
                Thread.ofVirtual().name("upstream-release").start(upstream.release());
            } else {
                // Closing the connection does not cancel a background response: it goes on upstream.
                upstream.cancel().run();
            }
        }
    }

    private RelayOutcome pump(LiveStream stream, UpstreamStream upstream, SseWriter client, StreamDialect dialect,
                              boolean dropUsageOnly, Exchange exchange, AtomicBoolean clientGone) {
        StreamMeta meta = stream.meta();
        SseReader reader = new SseReader(upstream.body());
        SseWriter primary = client;
        SseFrame last = null;
        try {
            for (SseFrame frame; (frame = reader.next()) != null; ) {
                if (frame.hasData()) {
                    dialect.beforeRelay(frame);
                    Usage usage = dialect.usage(frame);
                    if (usage != null) exchange.usage(usage);
                    if (usage != null) exchange.answeredBy(dialect.answer(frame));
                    if (dropUsageOnly && dialect.isUsageOnly(frame)) continue;
                    last = frame;
                }
                long seq = log.append(meta.id(), frame.raw());
                exchange.eventRelayed();
                if (primary != null) {
                    try {
                        primary.write(seq, frame.raw());
                    } catch (ClientGoneException e) {
                        primary = null;
                        clientGone.set(true);
                        if (!meta.resumable()) return clientLeft(meta, dialect, last);
                    }
                }
                if (frame.hasData() && dialect.isTerminal(frame)) return RelayOutcome.COMPLETED;
            }
            // Upstream closed the stream: complete for a dialect that ends so, unless an event was cut off.
            if (dialect.completeAtClose() && !reader.truncated() && !stream.shuttingDown() && !stream.cancelled()) {
                return RelayOutcome.COMPLETED;
            }
        } catch (IOException upstreamBroke) {
            // reported below
        }
        if (clientGone.get() && !meta.resumable()) return clientLeft(meta, dialect, last);
        if (stream.shuttingDown() && handsOver(meta)) return handOver(meta, dialect, last, primary);
        RelayOutcome outcome;
        byte[] error;
        if (stream.shuttingDown()) {
            outcome = RelayOutcome.SHUTDOWN;
            error = dialect.errorFrame(GatewayException.SHUTTING_DOWN, GatewayException.SHUTTING_DOWN_MESSAGE, last);
        } else if (stream.cancelled()) {
            outcome = RelayOutcome.CANCELLED;
            error = dialect.errorFrame("stream_cancelled", "The stream was cancelled by a gateway administrator.", last);
        } else if (upstream.timedOut().getAsBoolean()) {
            outcome = RelayOutcome.UPSTREAM_TIMEOUT;
            error = dialect.errorFrame("upstream_timeout",
                    "The upstream stream sent nothing within the idle timeout and was ended by the gateway. "
                            + "Retry the request; operators can raise SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT.", last);
        } else {
            outcome = RelayOutcome.UPSTREAM_FAILED;
            error = dialect.errorFrame("upstream_disconnected",
                    "The upstream connection ended before the stream was complete. Retry the request.", last);
        }
        long seq = log.append(meta.id(), error);
        if (primary != null) {
            try {
                primary.write(seq, error);
            } catch (ClientGoneException ignored) {
                // the client left as well; the log keeps the error for a reader that resumes
            }
        }
        return outcome;
    }

    /**
     * True when the stream can outlive this instance: it keeps running upstream, and other instances read its log
     * and adopt it once this one has gone.
     */
    private boolean handsOver(StreamMeta meta) {
        return meta.resumable() && log.shared();
    }

    /**
     * Leaves a stream to another instance at shutdown: its client is told, with an event that is not logged and has
     * no id (the log goes on with upstream's events, numbered as upstream numbers them), how to resume it elsewhere.
     */
    private RelayOutcome handOver(StreamMeta meta, StreamDialect dialect, SseFrame last, SseWriter client) {
        if (client != null) {
            try {
                client.write(dialect.errorFrame(GatewayException.SHUTTING_DOWN, handOverMessage(meta.id()), last));
            } catch (ClientGoneException ignored) {
                // the client left as well; it resumes, if it does, like any other reader
            }
        }
        return RelayOutcome.HANDED_OVER;
    }

    static String handOverMessage(String streamId) {
        return "The gateway instance relaying this stream is shutting down. The response goes on upstream, and "
                + "another instance continues this stream: resume it with GET /v1/streams/" + streamId
                + " and the header Last-Event-ID set to the id of the last event you received.";
    }

    /** The client left a stream that is not resumable: upstream is cancelled, and the log says why it ended. */
    private RelayOutcome clientLeft(StreamMeta meta, StreamDialect dialect, SseFrame last) {
        log.append(meta.id(), dialect.errorFrame("client_disconnected",
                "The client disconnected, so the gateway cancelled the upstream request.", last));
        return RelayOutcome.CLIENT_GONE;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing a registration cannot fail in a way that matters here
        }
    }
}
