package dev.switchboard.stream;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes an event stream to one client: raw bytes, flushed per event. A lock rather than {@code synchronized}
 * guards each write, so that heartbeats and the relay never interleave bytes, and a virtual thread blocked on a
 * slow client does not pin its carrier. Once a write fails the writer is gone for good and every later write
 * fails at once.
 */
public final class SseWriter {
    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile boolean gone;

    private SseWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Sends status 200 and the event-stream headers (no caching, no proxy buffering), plus {@code extraHeaders}.
     */
    public static SseWriter start(HttpServletResponse response, Map<String, String> extraHeaders) throws ClientGoneException {
        response.setStatus(200);
        // Each event is flushed, so the server's aggregation buffer (32 KiB by default, off-heap, held as long as
        // the stream is open) only costs memory: at 10,000 streams, over 300 MiB.
        response.setBufferSize(1024);
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        extraHeaders.forEach(response::setHeader);
        try {
            OutputStream out = response.getOutputStream();
            out.flush();
            return new SseWriter(out);
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    /** Writes one event with an {@code id:} line carrying its sequence number, then flushes. */
    public void write(long seq, byte[] event) throws ClientGoneException {
        writeFrame(idLine(seq), event);
    }

    /** {@code id: N\n} in ASCII, without going through a String. */
    static byte[] idLine(long seq) {
        int digits = seq < 10 ? 1 : (int) Math.floor(Math.log10(seq)) + 1;
        byte[] line = new byte[4 + digits + 1];
        line[0] = 'i';
        line[1] = 'd';
        line[2] = ':';
        line[3] = ' ';
        for (int i = 3 + digits; i >= 4; i--, seq /= 10) line[i] = (byte) ('0' + seq % 10);
        line[line.length - 1] = '\n';
        return line;
    }

    /** Writes one event with an {@code id:} line of the caller's making (CR and LF removed), then flushes. */
    public void write(String id, byte[] event) throws ClientGoneException {
        writeFrame(("id: " + id.replace("\r", "").replace("\n", "") + "\n").getBytes(StandardCharsets.UTF_8), event);
    }

    /** Writes bytes that form complete events, then flushes. */
    public void write(byte[] event) throws ClientGoneException {
        writeFrame(null, event);
    }

    /** A comment line ({@code : text}), which clients ignore; used as a heartbeat. CR and LF are removed. */
    public void comment(String text) throws ClientGoneException {
        write((": " + text.replace("\r", "").replace("\n", "") + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Nanoseconds (System.nanoTime) of the last successful write. */
    long lastWriteNanos() {
        return lastWriteNanos;
    }

    public boolean gone() {
        return gone;
    }

    private void writeFrame(byte[] prefix, byte[] event) throws ClientGoneException {
        if (gone) throw new ClientGoneException(new IOException("client already gone"));
        lock.lock();
        try {
            if (prefix != null) out.write(prefix);
            out.write(event);
            out.flush();
            lastWriteNanos = System.nanoTime();
        } catch (IOException e) {
            gone = true;
            throw new ClientGoneException(e);
        } finally {
            lock.unlock();
        }
    }
}
