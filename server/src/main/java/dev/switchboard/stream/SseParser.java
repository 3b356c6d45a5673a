package dev.switchboard.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits bytes, as they arrive, into Server-Sent Events (WHATWG HTML, "Parsing an event stream"): lines end with
 * CRLF, LF or CR; a blank line ends an event. Each event keeps its exact bytes so that the relay forwards what
 * upstream sent. Pushed to, so that the relay parses each chunk on the thread that read it; {@link SseReader} pulls
 * through it for blocking readers. The hot path scans for line ends and copies whole ranges; field parsing is left to
 * {@link SseFrame}, on demand. Not thread-safe: one parser per stream.
 */
public final class SseParser {
    private byte[] frame = new byte[512];
    private int frameLength;
    private boolean hasContent;
    private boolean hasData;
    /** Where the line being read starts in the frame, and its length so far (without its terminator). */
    private int lineStart;
    private int lineLength;
    /** The last line ended with a CR whose LF (if any) had not arrived yet: an LF that comes first belongs to it. */
    private boolean skipLf;
    private byte[] scratch;

    /** Parses {@code bytes} (consuming them); each event completed by them goes to {@code events}, in order. */
    public void feed(ByteBuffer bytes, Consumer<SseFrame> events) {
        if (bytes.hasArray()) {
            int start = bytes.arrayOffset() + bytes.position();
            feed(bytes.array(), start, start + bytes.remaining(), events);
            bytes.position(bytes.limit());
            return;
        }
        // A direct buffer (the network's): copied in pieces, so a stream holds at most one small scratch array.
        if (scratch == null) scratch = new byte[2048];
        while (bytes.hasRemaining()) {
            int n = Math.min(scratch.length, bytes.remaining());
            bytes.get(scratch, 0, n);
            feed(scratch, 0, n, events);
        }
    }

    /** Parses {@code buffer[position, limit)}; each event completed by it goes to {@code events}, in order. */
    public void feed(byte[] buffer, int position, int limit, Consumer<SseFrame> events) {
        while (position < limit) {
            if (skipLf) {
                skipLf = false;
                if (buffer[position] == '\n') {
                    append(buffer, position++, 1);
                    lineStart = frameLength;
                    continue;
                }
            }
            int i = position;
            while (i < limit && buffer[i] != '\n' && buffer[i] != '\r') i++;
            append(buffer, position, i - position);
            lineLength += i - position;
            if (i == limit) return;
            byte terminator = buffer[i];
            append(buffer, i, 1);
            position = i + 1;
            if (terminator == '\r') {
                // Take the LF of a CRLF now when it has already arrived, so an event's bytes end with its own LF.
                if (position < limit) {
                    if (buffer[position] == '\n') append(buffer, position++, 1);
                } else {
                    skipLf = true;
                }
            }
            lineEnded(events);
        }
    }

    /**
     * The stream ended. Returns what is left when it is only line ends (the LF of a CRLF split across reads), as a
     * frame without data, so that every byte upstream sent is forwarded; null when nothing is left, or when an event
     * was cut off ({@link #truncated} then says so: such an event is dropped, as the specification says).
     */
    public SseFrame end() {
        if (truncated()) return null;
        SseFrame rest = frameLength > 0 ? new SseFrame(Arrays.copyOf(frame, frameLength), false) : null;
        frameLength = 0;
        lineStart = 0;
        return rest;
    }

    /** True when the bytes so far end in the middle of an event. */
    public boolean truncated() {
        return hasContent || lineLength > 0;
    }

    private void lineEnded(Consumer<SseFrame> events) {
        if (lineLength == 0) {
            // A blank line ends an event; blank lines before any content are kept and sent with the next one.
            if (hasContent) {
                SseFrame event = new SseFrame(Arrays.copyOf(frame, frameLength), hasData);
                frameLength = 0;
                hasContent = false;
                hasData = false;
                events.accept(event);
            }
        } else {
            hasContent = true;
            if (!hasData && isDataLine(lineStart, lineLength)) hasData = true;
        }
        lineStart = frameLength;
        lineLength = 0;
    }

    private boolean isDataLine(int start, int length) {
        return length >= 4 && frame[start] == 'd' && frame[start + 1] == 'a' && frame[start + 2] == 't'
                && frame[start + 3] == 'a' && (length == 4 || frame[start + 4] == ':');
    }

    private void append(byte[] buffer, int from, int length) {
        if (length == 0) return;
        if (frameLength + length > frame.length) frame = Arrays.copyOf(frame, Math.max(frame.length * 2, frameLength + length));
        System.arraycopy(buffer, from, frame, frameLength, length);
        frameLength += length;
    }
}
