package dev.switchboard.stream;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * Reads Server-Sent Events from a blocking stream, one at a time, through an {@link SseParser}. An event cut off by
 * the end of the stream is dropped, as the specification says, and {@link #truncated()} becomes true. A frame without
 * data (comments, or stray line terminators) is returned too, so that its bytes can be forwarded. Not thread-safe:
 * one reader per stream.
 */
public final class SseReader {
    /** Events are a few hundred bytes; thousands of streams each hold one of these. */
    private static final int BUFFER = 2048;

    private final InputStream in;
    private final SseParser parser = new SseParser();
    private final ArrayDeque<SseFrame> parsed = new ArrayDeque<>();
    private final byte[] buffer = new byte[BUFFER];
    private boolean ended;
    private boolean truncated;

    public SseReader(InputStream in) {
        this.in = in;
    }

    /** The next event, or null at the end of the stream. */
    public SseFrame next() throws IOException {
        while (parsed.isEmpty()) {
            if (ended) return null;
            int n = in.read(buffer, 0, BUFFER);
            if (n < 0) {
                ended = true;
                truncated = parser.truncated();
                SseFrame rest = parser.end();
                return rest;
            }
            parser.feed(buffer, 0, n, parsed::add);
        }
        return parsed.poll();
    }

    /** True when the stream ended in the middle of an event. */
    public boolean truncated() {
        return truncated;
    }
}
