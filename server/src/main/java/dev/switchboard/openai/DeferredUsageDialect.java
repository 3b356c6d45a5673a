package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Usage;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamEnding;
import dev.switchboard.web.Json;
import java.io.IOException;

/**
 * A replayed stream's dialect ({@code GET /v1/responses/{id}?stream=true}): the stream spends nothing, but an event
 * that reports usage (a Responses stream's terminal event, with the response) may be the gateway's first read of a
 * background response that has ended, whose usage is counted then ({@link DeferredUsage}). Everything else is the
 * wrapped dialect's.
 */
final class DeferredUsageDialect implements StreamDialect {
    private final StreamDialect dialect;
    private final DeferredUsage deferred;

    DeferredUsageDialect(StreamDialect dialect, DeferredUsage deferred) {
        this.dialect = dialect;
        this.deferred = deferred;
    }

    @Override
    public Usage usage(SseFrame frame) {
        Usage usage = dialect.usage(frame);
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

    @Override
    public boolean isTerminal(SseFrame frame) {
        return dialect.isTerminal(frame);
    }

    @Override
    public boolean completeAtClose() {
        return dialect.completeAtClose();
    }

    @Override
    public JsonNode answer(SseFrame frame) {
        return dialect.answer(frame);
    }

    @Override
    public void beforeRelay(SseFrame frame) {
        dialect.beforeRelay(frame);
    }

    @Override
    public boolean isUsageOnly(SseFrame frame) {
        return dialect.isUsageOnly(frame);
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        return dialect.errorFrame(code, message, lastFrame);
    }

    @Override
    public StreamEnding ending() {
        return dialect.ending();
    }
}
