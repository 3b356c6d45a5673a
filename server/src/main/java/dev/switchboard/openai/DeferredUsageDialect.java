package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.stream.ForwardingDialect;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.web.Json;
import java.io.IOException;

/**
 * A replayed stream's dialect ({@code GET /v1/responses/{id}?stream=true}): the stream spends nothing, but an event
 * that reports usage (a Responses stream's terminal event, with the response) may be the gateway's first read of a
 * background response that has ended, whose usage is counted then ({@link DeferredUsage}). Everything else is the
 * wrapped dialect's.
 */
final class DeferredUsageDialect extends ForwardingDialect {
    private final DeferredUsage deferred;

    DeferredUsageDialect(StreamDialect dialect, DeferredUsage deferred) {
        super(dialect);
        this.deferred = deferred;
    }

    /** The event that carries usage is counted in the database: not on the I/O thread. */
    @Override
    public boolean mayBlock(SseFrame frame) {
        return super.mayBlock(frame) || (frame.hasData() && super.usage(frame) != null);
    }

    @Override
    public Usage usage(SseFrame frame) {
        Usage usage = super.usage(frame);
        if (usage != null && frame.hasData()) {
            try {
                JsonNode event = Json.MAPPER.readTree(frame.data());
                deferred.seen(event.has("response") ? event.get("response") : event);
            } catch (IOException notJson) {
                // the dialect read usage from it, so it was JSON; nothing to count otherwise
            }
        }
        return usage;
    }
}
