package dev.switchboard.stream;

import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * An upstream event stream as the relay sees it, independent of the HTTP client.
 *
 * @param body     the bytes
 * @param timedOut after the body ended: whether the idle watchdog ended it
 * @param cancel   closes the body, which cancels the upstream request; safe to call from any thread, repeatedly
 * @param release  after a complete stream: reads what is left of the body (its last chunk) so that the upstream
 *                 connection can be reused, then closes it; may block, so the relay calls it off the client's path
 */
public record UpstreamStream(InputStream body, BooleanSupplier timedOut, Runnable cancel, Runnable release) {}
