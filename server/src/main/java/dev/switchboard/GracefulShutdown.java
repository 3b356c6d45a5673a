package dev.switchboard;

import dev.switchboard.debug.InFlightRequests;
import dev.switchboard.stream.LiveStream;
import dev.switchboard.stream.LiveStreams;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.HttpServer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a gateway stops when asked to (SIGTERM): it refuses new requests at once (503 {@code gateway_shutting_down}),
 * lets the requests, streams and runs under way finish during most of the grace period, then ends those left: a
 * relayed stream with an error event in its API's shape, a run (Assistants or agent) as failed with that code, its
 * stream ending as its API's streams end. Every exchange it ends is recorded with outcome {@code shutdown}. The
 * rest of the grace is for writing the queued rows and closing.
 */
final class GracefulShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    /** The most of the grace kept for ending what is left and writing it down. */
    private static final Duration ENDING = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 50;

    private final HttpServer http;
    private final LiveStreams streams;
    private final InFlightRequests inFlight;
    private final UpstreamClient upstream;

    GracefulShutdown(HttpServer http, LiveStreams streams, InFlightRequests inFlight, UpstreamClient upstream) {
        this.http = http;
        this.streams = streams;
        this.inFlight = inFlight;
        this.upstream = upstream;
    }

    /** Returns once nothing is under way, and at the latest when all but the closing part of {@code grace} is spent. */
    void drain(Duration grace) {
        long start = System.nanoTime();
        Duration ending = grace.dividedBy(2).compareTo(ENDING) < 0 ? grace.dividedBy(2) : ENDING;
        http.drain();
        if (quiet()) return;
        LOG.info("Shutting down: new requests are refused; {} request(s), {} stream(s) and {} upstream call(s) under way "
                        + "have {} ms to finish", http.activeRequests(), streams.size(), inFlight.size(),
                grace.minus(ending).toMillis());
        if (awaitQuiet(start + grace.minus(ending).toNanos())) return;
        LOG.info("Shutting down: ending {} stream(s) and {} upstream call(s) still under way", streams.size(), inFlight.size());
        inFlight.endAll("shutdown", GatewayException.SHUTTING_DOWN);
        upstream.endOwnCalls();
        streams.list().forEach(LiveStream::endForShutdown);
        if (!awaitQuiet(start + grace.minus(ending.dividedBy(2)).toNanos())) {
            LOG.warn("Shutting down: {} request(s) still open are cut off", http.activeRequests());
        }
    }

    private boolean quiet() {
        return http.activeRequests() == 0 && streams.size() == 0 && inFlight.size() == 0;
    }

    private boolean awaitQuiet(long deadlineNanos) {
        while (!quiet()) {
            if (System.nanoTime() >= deadlineNanos) return false;
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
