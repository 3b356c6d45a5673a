package dev.switchboard.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Usage;

/**
 * A dialect that adds to another (as OkHttp's {@code ForwardingSource} does to a source): everything is the wrapped
 * dialect's unless a subclass says otherwise, so a wrapper states only what it adds and cannot forget a method the
 * interface gains.
 */
public abstract class ForwardingDialect implements StreamDialect {
    private final StreamDialect delegate;

    protected ForwardingDialect(StreamDialect delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean isTerminal(SseFrame frame) {
        return delegate.isTerminal(frame);
    }

    @Override
    public boolean completeAtClose() {
        return delegate.completeAtClose();
    }

    @Override
    public Usage usage(SseFrame frame) {
        return delegate.usage(frame);
    }

    @Override
    public JsonNode answer(SseFrame frame) {
        return delegate.answer(frame);
    }

    @Override
    public void beforeRelay(SseFrame frame) {
        delegate.beforeRelay(frame);
    }

    @Override
    public boolean mayBlock(SseFrame frame) {
        return delegate.mayBlock(frame);
    }

    @Override
    public boolean isUsageOnly(SseFrame frame) {
        return delegate.isUsageOnly(frame);
    }

    @Override
    public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
        return delegate.errorFrame(code, message, lastFrame);
    }

    @Override
    public StreamEnding ending() {
        return delegate.ending();
    }
}
