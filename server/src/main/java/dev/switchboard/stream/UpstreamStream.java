package dev.switchboard.stream;

import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * An upstream event stream as the relay sees it, independent of the HTTP client.
 *
 * @param body     the bytes
 * @param timedOut after the body ended: whether the idle watchdog ended it
 * @param cancel   closes the body, which cancels the upstream request; safe to call from any thread, repeatedly
 */
public record UpstreamStream(InputStream body, BooleanSupplier timedOut, Runnable cancel) {}
