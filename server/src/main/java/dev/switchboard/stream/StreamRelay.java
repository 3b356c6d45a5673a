package dev.switchboard.stream;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * Relays one upstream event stream to one client: each event's bytes as received, in order, flushed one by one.
 * Whatever happens, the client's stream ends well-formed: with upstream's terminal event, or with an error event
 * in the API's shape. The caller owns (and closes) the upstream body; closing it is what cancels upstream.
 */
public final class StreamRelay {
    private StreamRelay() {}

    /**
     * @param upstream   the upstream body
     * @param timedOut   tells, after the body ended, whether the idle watchdog ended it
     * @param client     the client's stream, already started
     * @param dialect    the API's terminal event and error shape
     */
    public static RelayOutcome relay(InputStream upstream, BooleanSupplier timedOut, SseWriter client,
                                     StreamDialect dialect) throws ClientGoneException {
        SseReader reader = new SseReader(upstream);
        SseFrame last = null;
        try {
            for (SseFrame frame; (frame = reader.next()) != null; ) {
                client.write(frame.raw());
                if (frame.hasData()) last = frame;
                if (frame.hasData() && dialect.isTerminal(frame)) return RelayOutcome.COMPLETED;
            }
        } catch (ClientGoneException e) {
            return RelayOutcome.CLIENT_GONE;
        } catch (IOException upstreamBroke) {
            // fall through: reported to the client below
        }
        if (timedOut.getAsBoolean()) {
            client.write(dialect.errorFrame("upstream_timeout",
                    "The upstream stream sent nothing within the idle timeout and was ended by the gateway. "
                            + "Retry the request; operators can raise SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT.", last));
            return RelayOutcome.UPSTREAM_TIMEOUT;
        }
        client.write(dialect.errorFrame("upstream_disconnected",
                "The upstream connection ended before the stream was complete. Retry the request.", last));
        return RelayOutcome.UPSTREAM_FAILED;
    }
}
