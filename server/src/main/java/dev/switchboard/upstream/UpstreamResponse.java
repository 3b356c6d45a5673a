package dev.switchboard.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * The upstream's answer: status and headers, and the body as a stream. Closing it cancels the upstream request if
 * the body has not been read to the end; the idle watchdog closes it when the upstream falls silent.
 */
public final class UpstreamResponse implements AutoCloseable {
    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;
    private final IdleWatchdog.Watch watch;
    private final UpstreamCalls.Call call;

    UpstreamResponse(int status, HttpHeaders headers, InputStream body, IdleWatchdog.Watch watch, UpstreamCalls.Call call) {
        this.call = call;
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.watch = watch;
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

    /** The body; every read counts as activity for the idle watchdog. */
    public InputStream body() {
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
        try (InputStream in = body) {
            return in.readAllBytes();
        }
    }

    /**
     * Reads the rest of the body (normally just the final chunk) and closes it, so that the HTTP client can put
     * the connection back in its pool. Bounded: a body that goes on sending is cut after 64 KiB, and a silent one
     * is ended by the idle watchdog.
     */
    public void release() {
        try {
            byte[] sink = new byte[8192];
            long left = 64 * 1024;
            for (int n; left > 0 && (n = body.read(sink)) >= 0; ) left -= n;
        } catch (IOException ignored) {
            // the connection is simply not reused
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (watch.timedOut()) call.failed("upstream_idle_timeout");
        call.end();
        watch.close();
        try {
            body.close();
        } catch (IOException ignored) {
            // closing only cancels the upstream exchange; nothing is lost
        }
    }
}
