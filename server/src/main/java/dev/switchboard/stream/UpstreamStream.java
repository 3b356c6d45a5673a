package dev.switchboard.stream;

import java.util.function.BooleanSupplier;
import org.eclipse.jetty.io.Content;

/**
 * An upstream event stream as the relay sees it.
 *
 * @param body     the bytes, read without blocking: {@code read()} what has arrived, {@code demand()} to be called
 *                 back when more has
 * @param timedOut after the body ended: whether the idle watchdog ended it
 * @param cancel   cancels the upstream request; safe to call from any thread, repeatedly
 * @param release  after a complete stream: reads what is left of the body (its last chunk), without blocking, so
 *                 that the upstream connection can be reused, then closes it
 */
public record UpstreamStream(Content.Source body, BooleanSupplier timedOut, Runnable cancel, Runnable release) {}
