package dev.switchboard.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Exchange;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.upstream.UpstreamResponse;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A streamed request the gateway makes on its own behalf (a stretch of an Assistants run, a round of an agent's
 * turn): sent, then each event of the answer handed over as JSON until the handler says the answer is complete.
 * Every way it can end comes back as a {@link Result}. The exchange is told of the answer and of each event; the
 * caller, which knows what the ending means for its API, finishes it.
 */
public final class OwnStream {
    private OwnStream() {}

    /** How the call ended. */
    public enum Ending {
        /** the handler saw the answer's last event */
        COMPLETE,
        /** the stream ended before that */
        CUT_SHORT,
        /** upstream answered with an error status ({@link Result#status}, {@link Result#message}) */
        REFUSED,
        /** upstream could not be reached or did not answer in time ({@link Result#code}, {@link Result#message}) */
        UNAVAILABLE,
        /** the connection broke while the answer was being read (or was closed to cancel it, or by a shutdown) */
        BROKEN
    }

    /**
     * @param code    with {@link Ending#UNAVAILABLE}, why; with {@link Ending#BROKEN}, {@code gateway_shutting_down}
     *                when the instance's shutdown ended the call (else null)
     * @param message what to tell the client, when there is more to say than the ending
     */
    public record Result(Ending ending, int status, String code, String message) {}

    /** The instance is shutting down: the call was ended, or not started. */
    private static final Result STOPPED = new Result(Ending.BROKEN, 0, GatewayException.SHUTTING_DOWN,
            "The gateway instance running this was shutting down and stopped it before it was complete. Start it "
                    + "again: another instance will run it.");

    /** Takes one event; true once it was the answer's last. */
    @FunctionalInterface
    public interface Events {
        boolean onEvent(JsonNode event) throws IOException;
    }

    /**
     * @param opened called with the response as soon as its headers arrive: closing it from another thread
     *               cancels the call (it then ends {@link Ending#BROKEN})
     */
    public static Result read(UpstreamClient upstream, UpstreamRequest request, Exchange exchange,
                              Consumer<UpstreamResponse> opened, Events events) {
        if (upstream.stopping()) return STOPPED;
        try (UpstreamResponse response = upstream.send(request); UpstreamClient.Kept kept = upstream.endAtShutdown(response)) {
            opened.accept(response);
            exchange.answered(response.status(), response.header("x-request-id").orElse(null));
            if (response.status() >= 400) {
                return new Result(Ending.REFUSED, response.status(), null, response.errorMessage());
            }
            SseReader reader = new SseReader(response.body());
            for (SseFrame frame; (frame = reader.next()) != null; ) {
                if (!frame.hasData()) continue;
                exchange.eventRelayed();
                if (events.onEvent(Json.MAPPER.readTree(frame.data()))) {
                    return new Result(Ending.COMPLETE, response.status(), null, null);
                }
            }
            return upstream.stopping() ? STOPPED : new Result(Ending.CUT_SHORT, response.status(), null, null);
        } catch (GatewayException e) {
            return upstream.stopping() ? STOPPED : new Result(Ending.UNAVAILABLE, e.status(), e.code(), e.getMessage());
        } catch (IOException e) {
            return upstream.stopping() ? STOPPED : new Result(Ending.BROKEN, 0, null, null);
        }
    }
}
