package dev.switchboard.stream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into Server-Sent Events (WHATWG HTML, "Parsing an event stream"): lines end with CRLF, LF
 * or CR; a blank line ends an event. Each event keeps its exact bytes so that the relay forwards what upstream
 * sent. The hot path scans for line ends and copies whole ranges; field parsing is left to {@link SseFrame}, on
 * demand. Transport-free, so it is tested with plain strings. Not thread-safe: one reader per stream.
 */
public final class SseReader {
    /** Events are a few hundred bytes; thousands of streams each hold one of these. */
    private static final int BUFFER = 2048;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    /** The last line ended with a CR whose LF (if any) had not arrived yet: an LF that comes first belongs to it. */
    private boolean skipLf;
    private boolean truncated;
    /** The stream ended in the middle of a line that had content. */
    private boolean unterminatedLine;

    private byte[] frame = new byte[512];
    private int frameLength;

    public SseReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next event, or null at the end of the stream. An event cut off by the end of the stream is dropped, as
     * the specification says, and {@link #truncated()} becomes true. A frame without data (comments, or stray
     * line terminators) is returned too, so that its bytes can be forwarded.
     */
    public SseFrame next() throws IOException {
        frameLength = 0;
        boolean hasContent = false;
        boolean hasData = false;
        while (true) {
            int lineStart = frameLength;
            int lineLength = readLine();
            if (lineLength < 0) {
                if (hasContent || unterminatedLine) {
                    truncated = true;
                    return null;
                }
                // Only line ends are left (the LF of a CRLF split across reads): hand them on, so that every byte
                // upstream sent is forwarded.
                return frameLength > 0 ? new SseFrame(Arrays.copyOf(frame, frameLength), false) : null;
            }
            if (lineLength == 0) {
                // A blank line ends an event; blank lines before any content are kept and sent with the next one.
                if (hasContent) return new SseFrame(Arrays.copyOf(frame, frameLength), hasData);
                continue;
            }
            hasContent = true;
            if (!hasData && isDataLine(lineStart, lineLength)) hasData = true;
        }
    }

    /** True when the stream ended in the middle of an event. */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Appends one line and its terminator to the frame; returns the line's length without the terminator, or -1
     * at the end of the stream (an unterminated line is left in the frame).
     */
    private int readLine() throws IOException {
        int lineLength = 0;
        while (true) {
            if (position == limit && !fill()) {
                unterminatedLine = lineLength > 0;
                return -1;
            }
            if (skipLf) {
                skipLf = false;
                if (buffer[position] == '\n') {
                    append(position, 1);
                    position++;
                    continue;
                }
            }
            int i = position;
            while (i < limit && buffer[i] != '\n' && buffer[i] != '\r') i++;
            append(position, i - position);
            lineLength += i - position;
            if (i == limit) {
                position = limit;
                continue;
            }
            byte terminator = buffer[i];
            append(i, 1);
            position = i + 1;
            if (terminator == '\r') {
                // Take the LF of a CRLF now when it has already arrived, so an event's bytes end with its own LF.
                if (position < limit) {
                    if (buffer[position] == '\n') append(position++, 1);
                } else {
                    skipLf = true;
                }
            }
            return lineLength;
        }
    }

    private boolean isDataLine(int start, int length) {
        return length >= 4 && frame[start] == 'd' && frame[start + 1] == 'a' && frame[start + 2] == 't'
                && frame[start + 3] == 'a' && (length == 4 || frame[start + 4] == ':');
    }

    private void append(int from, int length) {
        if (length == 0) return;
        if (frameLength + length > frame.length) frame = Arrays.copyOf(frame, Math.max(frame.length * 2, frameLength + length));
        System.arraycopy(buffer, from, frame, frameLength, length);
        frameLength += length;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, BUFFER);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }
}
