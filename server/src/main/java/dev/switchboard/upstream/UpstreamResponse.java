package dev.switchboard.upstream;

import dev.switchboard.web.AsyncBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;

/**
 * The upstream's answer: status and headers, and the body, read either without blocking ({@link #source()}, what
 * the relay does) or as a blocking stream ({@link #body()}, for the gateway's own calls), never both. Closing it
 * cancels the upstream request unless the body was read to its end; the idle watchdog ends it when the upstream
 * falls silent.
 */
public final class UpstreamResponse implements AutoCloseable {
    private final int status;
    private final HttpHeaders headers;
    private final WatchedSource source;
    private final Runnable abort;
    private final IdleWatchdog.Watch watch;
    private final UpstreamCalls.Call call;
    private final AtomicBoolean closed = new AtomicBoolean();
    private InputStream body;

    UpstreamResponse(int status, HttpHeaders headers, Content.Source source, Runnable abort, IdleWatchdog.Watch watch,
                     UpstreamCalls.Call call) {
        this.status = status;
        this.headers = headers;
        this.source = new WatchedSource(source, watch);
        this.abort = abort;
        this.watch = watch;
        this.call = call;
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /**
     * The body, read without blocking: {@code read()} what has arrived, {@code demand()} to be called back when more
     * has. Every read counts as activity for the idle watchdog.
     */
    public Content.Source source() {
        return source;
    }

    /** The body as a blocking stream; every read counts as activity for the idle watchdog. */
    public synchronized InputStream body() {
        if (body == null) body = Content.Source.asInputStream(source);
        return body;
    }

    /** True when the watchdog ended this response because the upstream sent nothing for too long. */
    public boolean timedOut() {
        return watch.timedOut();
    }

    public boolean isEventStream() {
        return header("Content-Type").map(t -> t.toLowerCase().startsWith("text/event-stream")).orElse(false);
    }

    /** The message of an OpenAI-shaped error body (read whole), or a sentence naming the status. */
    public String errorMessage() {
        String fallback = "The upstream answered HTTP " + status + ".";
        try {
            return dev.switchboard.web.Json.MAPPER.readTree(readAll()).path("error").path("message").asText(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }

    /** Reads the whole body (for errors and non-streamed answers). */
    public byte[] readAll() throws IOException {
        try (InputStream in = body()) {
            return in.readAllBytes();
        }
    }

    /**
     * Reads the rest of the body (normally just the final chunk) without blocking, then closes it, so that the
     * connection goes back to the pool. Bounded: a body that goes on sending is cut after 64 KiB, and a silent one is
     * ended by the idle watchdog.
     */
    public void release() {
        AsyncBodies.readUpTo(source, 64 * 1024).whenComplete((rest, failed) -> close());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (watch.timedOut()) call.failed("upstream_idle_timeout");
        call.end();
        watch.close();
        // Safe from any thread, also while a reader waits: its read fails at once.
        if (!source.ended) abort.run();
    }

    /** The body, counting every read as activity and noting when its end was read. */
    private static final class WatchedSource implements Content.Source {
        private final Content.Source source;
        private final IdleWatchdog.Watch watch;
        private volatile boolean ended;

        WatchedSource(Content.Source source, IdleWatchdog.Watch watch) {
            this.source = source;
            this.watch = watch;
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = source.read();
            if (chunk != null) {
                watch.touch();
                if (chunk.isLast() && !Content.Chunk.isFailure(chunk)) ended = true;
            }
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            source.demand(demandCallback);
        }

        @Override
        public void fail(Throwable failure) {
            source.fail(failure);
        }

        @Override
        public long getLength() {
            return source.getLength();
        }
    }
}
