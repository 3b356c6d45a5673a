package dev.switchboard.stream;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.GatewayException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Relays upstream event streams: each event is appended to the stream's log (so that clients can resume) and
 * written to the client that asked for it, with an {@code id:} line, its bytes exactly as upstream sent them.
 * Event-driven: what upstream sent is read, parsed, logged and written on the thread that found it ready, and the
 * next read is asked for only once the client has taken the write, so a slow client slows the upstream read and
 * nothing queues up; no thread waits for a stream. Whatever happens, the stream ends well-formed: with upstream's
 * terminal event, or with an error event in the API's shape. When the client leaves, a non-resumable stream cancels
 * its upstream request; a resumable one keeps reading into the log for a later reader. At shutdown, a resumable
 * stream whose log is shared is left unfinished there for another instance to continue
 * ({@link RelayOutcome#HANDED_OVER}); that instance {@linkplain #continueAdopted continues} it with the same relay,
 * writing to the log alone.
 */
public final class StreamRelay {
    private static final ByteBuffer NOTHING_TO_WRITE = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private static final Runnable NOTHING = () -> { };

    private final EventLog log;
    private final Heartbeats heartbeats;
    private final LiveStreams live;

    public StreamRelay(EventLog log, Heartbeats heartbeats, LiveStreams live) {
        this.log = log;
        this.heartbeats = heartbeats;
        this.live = live;
    }

    /**
     * Starts relaying; the answer completes (on some thread) once the stream has ended and its client has been
     * written all it will be.
     *
     * @param dropUsageOnly drop events that carry only usage (the gateway asked for them, the client did not)
     */
    public CompletableFuture<RelayOutcome> relay(StreamMeta meta, UpstreamStream upstream, SseWriter client,
                                                 StreamDialect dialect, boolean dropUsageOnly, Exchange exchange) {
        log.create(meta);
        return new Relay(meta, upstream, client, dialect, dropUsageOnly, exchange).start();
    }

    /**
     * Continues a stream adopted from an instance that is gone: upstream's events are appended to the same log, for
     * the stream's readers, as if its first relay had gone on.
     */
    CompletableFuture<RelayOutcome> continueAdopted(StreamMeta meta, StreamContinuation.Continued continued) {
        return new Relay(meta, continued.upstream(), null, continued.dialect(), false, continued.exchange()).start();
    }

    /**
     * One stream's relay, as an iteration Jetty drives: each step reads what upstream has sent, relays the events it
     * completes and either writes them to the client (the write's completion takes the next step), asks upstream to
     * call back when more arrives, or ends the stream. Steps never overlap, so the fields need no lock.
     */
    private final class Relay extends IteratingCallback {
        private final StreamMeta meta;
        private final UpstreamStream upstream;
        private final StreamDialect dialect;
        private final boolean dropUsageOnly;
        private final Exchange exchange;
        private final LiveStream stream;
        private final SseParser parser = new SseParser();
        private final List<SseFrame> parsed = new ArrayList<>();
        private final Consumer<SseFrame> collect = parsed::add;
        private final CompletableFuture<RelayOutcome> done = new CompletableFuture<>();
        /** Run by the I/O thread that read more of upstream's body: a step never blocks (see {@link #mayBlock}). */
        private final Runnable readMore = Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::iterate);
        /** The write's completion: a client that has gone fails it, and the relay goes on without the client. */
        private final Callback written = new Callback() {
            @Override
            public void succeeded() {
                Relay.this.succeeded();
            }

            @Override
            public void failed(Throwable gone) {
                clientLeft();
                Relay.this.succeeded();
            }
        };
        /**
         * Appends not yet stored, plus one while a step is still appending: the last one stored sends what the step
         * logged ({@link #logged}) on to the client, or takes the next step.
         */
        private final AtomicInteger unstored = new AtomicInteger();
        private final Runnable stored = this::stored;
        private ByteBuffer logged;
        /** The client that asked for the stream, while it is there; null when only the log's readers read it. */
        private SseWriter client;
        private AutoCloseable heartbeat = () -> { };
        private volatile boolean clientGone;
        private SseFrame last;
        private boolean upstreamEnded;
        private boolean upstreamBroke;
        private boolean cutOff;
        /** Set once the stream's end is decided; the step after the last write then completes the relay. */
        private RelayOutcome outcome;

        Relay(StreamMeta meta, UpstreamStream upstream, SseWriter client, StreamDialect dialect, boolean dropUsageOnly,
              Exchange exchange) {
            this.meta = meta;
            this.upstream = upstream;
            this.client = client;
            this.dialect = dialect;
            this.dropUsageOnly = dropUsageOnly;
            this.exchange = exchange;
            this.stream = new LiveStream(meta, exchange, upstream.cancel());
        }

        CompletableFuture<RelayOutcome> start() {
            live.add(stream);
            if (client != null) {
                // Learnt from a failed write (a heartbeat's too) or, at once, from the server (a reset HTTP/2 stream,
                // a closed connection): a stream that is not resumable cancels its upstream request, and ends as it
                // fails.
                heartbeat = heartbeats.watch(client);
                client.onGone(() -> {
                    clientGone = true;
                    if (!meta.resumable()) upstream.cancel().run();
                });
            }
            iterate();
            return done;
        }

        @Override
        protected Action process() {
            if (outcome != null) return Action.SUCCEEDED;
            while (true) {
                if (upstreamEnded) {
                    unstored.set(1);
                    byte[] ending = end();
                    if (ending == null) return Action.SUCCEEDED;
                    sendWhenStored(ByteBuffer.wrap(ending));
                    return Action.SCHEDULED;
                }
                Content.Chunk chunk = upstream.body().read();
                if (chunk == null) {
                    upstream.body().demand(readMore);
                    return Action.IDLE;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    upstreamEnded = true;
                    upstreamBroke = true;
                    continue;
                }
                parser.feed(chunk.getByteBuffer(), collect);
                boolean lastChunk = chunk.isLast();
                chunk.release();
                if (lastChunk) {
                    upstreamEnded = true;
                    cutOff = parser.truncated();
                    SseFrame rest = parser.end();
                    if (rest != null) parsed.add(rest);
                }
                unstored.set(1);
                if (mayBlock()) {
                    Thread.startVirtualThread(this::relayParsedOffThread);
                    return Action.SCHEDULED;
                }
                ByteBuffer events = relayParsed();
                if (events != null) {
                    sendWhenStored(events);
                    return Action.SCHEDULED;
                }
                if (outcome != null) return Action.SUCCEEDED;
            }
        }

        /** True when relaying an event just parsed may wait on I/O (the dialect records what it creates). */
        private boolean mayBlock() {
            for (SseFrame frame : parsed) {
                if (frame.hasData() && dialect.mayBlock(frame)) return true;
            }
            return false;
        }

        /** A step that may block, on a thread of its own: the I/O thread that read the bytes has gone on. */
        private void relayParsedOffThread() {
            try {
                ByteBuffer events = relayParsed();
                if (events != null) sendWhenStored(events);
                else succeeded();
            } catch (Throwable failure) {
                failed(failure);
            }
        }

        /**
         * Logs the events just parsed and returns them as the client is to get them (each with its id line; empty
         * when there is no client), or null when none was logged. Stops at upstream's terminal event: the stream is complete.
         */
        private ByteBuffer relayParsed() {
            byte[] out = null;
            int length = 0;
            int appended = 0;
            for (SseFrame frame : parsed) {
                if (frame.hasData()) {
                    dialect.beforeRelay(frame);
                    Usage usage = dialect.usage(frame);
                    if (usage != null) exchange.usage(usage);
                    if (usage != null) exchange.answeredBy(dialect.answer(frame));
                    if (dropUsageOnly && dialect.isUsageOnly(frame)) continue;
                    last = frame;
                }
                unstored.incrementAndGet();
                appended++;
                long seq = log.append(meta.id(), frame.raw(), stored);
                exchange.eventRelayed();
                if (client != null) {
                    byte[] raw = frame.raw();
                    int idLength = SseWriter.idLineLength(seq);
                    int needed = length + idLength + raw.length;
                    if (out == null) out = new byte[Math.max(512, needed)];
                    else if (needed > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, needed));
                    SseWriter.putIdLine(seq, out, length);
                    System.arraycopy(raw, 0, out, length + idLength, raw.length);
                    length = needed;
                }
                if (frame.hasData() && dialect.isTerminal(frame)) {
                    outcome = RelayOutcome.COMPLETED;
                    break;
                }
            }
            parsed.clear();
            if (appended == 0) return null;
            return out == null ? NOTHING_TO_WRITE : ByteBuffer.wrap(out, 0, length);
        }

        /**
         * Ends the step: once what it logged is stored, {@code events} go to the client (when it is there and there
         * are any), and that write's completion, or the storing itself, takes the next step. Upstream is not read
         * meanwhile, so neither a slow client nor a slow log lets events pile up.
         */
        private void sendWhenStored(ByteBuffer events) {
            logged = events;
            stored();
        }

        /** One append is stored (or the step's own count is released). */
        private void stored() {
            if (unstored.decrementAndGet() != 0) return;
            ByteBuffer events = logged;
            logged = null;
            if (client != null && events.hasRemaining()) client.send(events, written);
            else succeeded();
        }

        /** A write found the client gone: a stream that is not resumable ends; a resumable one goes on into the log. */
        private void clientLeft() {
            client = null;
            clientGone = true;
            if (!meta.resumable() && outcome == null) {
                outcome = RelayOutcome.CLIENT_GONE;
                logClientLeft();
            }
        }

        /**
         * Upstream's body has ended: decides how the stream ends, and returns what the client is still to be told
         * (an error event), or null.
         */
        private byte[] end() {
            // Upstream closed the stream: complete for a dialect that ends so, unless an event was cut off.
            if (!upstreamBroke && dialect.completeAtClose() && !cutOff && !stream.shuttingDown() && !stream.cancelled()) {
                outcome = RelayOutcome.COMPLETED;
                return null;
            }
            if (clientGone && !meta.resumable()) {
                outcome = RelayOutcome.CLIENT_GONE;
                logClientLeft();
                return null;
            }
            if (stream.shuttingDown() && handsOver(meta)) {
                // The client is told, with an event that is not logged and has no id (the log goes on with upstream's
                // events, numbered as upstream numbers them), how to resume the stream elsewhere.
                outcome = RelayOutcome.HANDED_OVER;
                return dialect.errorFrame(GatewayException.SHUTTING_DOWN, handOverMessage(meta.id()), last);
            }
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
            unstored.incrementAndGet();
            long seq = log.append(meta.id(), error, stored);
            return SseWriter.concat(SseWriter.idLine(seq), error);
        }

        /** The client left a stream that is not resumable: upstream is cancelled, and the log says why it ended. */
        private void logClientLeft() {
            upstream.cancel().run();
            log.append(meta.id(), dialect.errorFrame("client_disconnected",
                    "The client disconnected, so the gateway cancelled the upstream request.", last), NOTHING);
        }

        @Override
        protected void onCompleteSuccess() {
            exchange.finish(outcome.name().toLowerCase(Locale.ROOT), null);
            ended(outcome);
        }

        /** A step failed (the log refused an event, or a defect): the stream ends, its upstream request cancelled. */
        @Override
        protected void onCompleteFailure(Throwable cause) {
            exchange.finish("failed", cause.getClass().getSimpleName());
            ended(null);
            Thread.startVirtualThread(() -> done.completeExceptionally(cause));
        }

        private void ended(RelayOutcome outcome) {
            closeQuietly(heartbeat);
            // A stream handed over stays unfinished: the instance that adopts it appends the rest.
            if (outcome != RelayOutcome.HANDED_OVER) log.finish(meta.id());
            live.remove(stream);
            // The body's last chunk follows the terminal event; reading it lets the connection be reused. Anything
            // else closes the connection, which does not cancel a background response: it goes on upstream.
            if (outcome == RelayOutcome.COMPLETED) upstream.release().run();
            else upstream.cancel().run();
            // The response may end once no heartbeat is being written to it; whoever waits for the stream's end (the
            // request's completion, its slot, the access log) may block: not on the I/O thread.
            CompletableFuture<Void> idle = client == null ? CompletableFuture.completedFuture(null) : client.finish();
            if (outcome != null) idle.thenRun(() -> Thread.startVirtualThread(() -> done.complete(outcome)));
        }
    }

    /**
     * True when the stream can outlive this instance: it keeps running upstream, and other instances read its log
     * and adopt it once this one has gone.
     */
    private boolean handsOver(StreamMeta meta) {
        return meta.resumable() && log.shared();
    }

    static String handOverMessage(String streamId) {
        return "The gateway instance relaying this stream is shutting down. The response goes on upstream, and "
                + "another instance continues this stream: resume it with GET /v1/streams/" + streamId
                + " and the header Last-Event-ID set to the id of the last event you received.";
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing a registration cannot fail in a way that matters here
        }
    }
}
