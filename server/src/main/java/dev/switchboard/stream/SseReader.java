package dev.switchboard.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into Server-Sent Events (WHATWG HTML, "Parsing an event stream"): lines end with CRLF, LF
 * or CR; a blank line ends an event; lines starting with a colon are comments; {@code data:} lines accumulate.
 * Each frame keeps its exact bytes, so that the relay forwards what upstream sent. Transport-free, so it is tested
 * with plain strings. Not thread-safe: one reader per stream.
 */
public final class SseReader {
    private static final int BUFFER = 8192;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    /** The last line ended with CR whose LF (if any) had not arrived yet: skip an LF that comes first. */
    private boolean skipLf;
    private boolean truncated;

    private final ByteArrayOutputStream frame = new ByteArrayOutputStream(512);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    public SseReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next event, or null at the end of the stream. An event cut off by the end of the stream is dropped, as
     * the specification says, and {@link #truncated()} becomes true. A frame without data (comments, or stray
     * line terminators) is returned too, so that its bytes can be forwarded.
     */
    public SseFrame next() throws IOException {
        frame.reset();
        boolean hasContent = false;
        String event = null;
        String id = null;
        StringBuilder data = null;
        while (true) {
            if (!readLine()) {
                if (hasContent || line.size() > 0) {
                    truncated = true;
                    return null;
                }
                // Only line terminators are left (the LF of a CRLF split across reads): hand them on, so that
                // every byte upstream sent is forwarded.
                return frame.size() > 0 ? new SseFrame(frame.toByteArray(), null, null, null) : null;
            }
            int length = line.size();
            if (length == 0) {
                // A blank line ends an event; blank lines before any content are kept and sent with the next one.
                if (hasContent) return new SseFrame(frame.toByteArray(), event, data == null ? null : data.toString(), id);
                continue;
            }
            hasContent = true;
            byte[] bytes = line.toByteArray();
            if (bytes[0] == ':') continue;
            String text = new String(bytes, StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "event" -> event = value;
                case "data" -> {
                    if (data == null) data = new StringBuilder(value.length());
                    else data.append('\n');
                    data.append(value);
                }
                case "id" -> id = value;
                default -> { /* retry and unknown fields travel in the raw bytes, uninterpreted */ }
            }
        }
    }

    /** True when the stream ended in the middle of an event. */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Reads one line into {@link #line}, without its terminator, and appends it with its terminator to
     * {@link #frame}. False at the end of the stream (an unterminated line is left in {@link #line}).
     */
    private boolean readLine() throws IOException {
        line.reset();
        while (true) {
            if (position == limit && !fill()) return false;
            byte b = buffer[position++];
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    frame.write(b);
                    continue;
                }
            }
            if (b == '\n') {
                frame.write(line.toByteArray(), 0, line.size());
                frame.write(b);
                return true;
            }
            if (b == '\r') {
                frame.write(line.toByteArray(), 0, line.size());
                frame.write(b);
                // Take the LF of a CRLF now when it has already arrived, so an event's bytes end with its own LF.
                if (position < limit) {
                    if (buffer[position] == '\n') frame.write(buffer[position++]);
                } else {
                    skipLf = true;
                }
                return true;
            }
            line.write(b);
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, BUFFER);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }
}
