package dev.switchboard.stream;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes an event stream to one client: raw bytes, flushed per event. A lock rather than {@code synchronized}
 * guards each write, so that a heartbeat thread and the relay never interleave bytes, and a virtual thread blocked
 * on a slow client does not pin its carrier.
 */
public final class SseWriter {
    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();

    private SseWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Sends status 200 and the event-stream headers (no caching, no proxy buffering), plus {@code extraHeaders}.
     */
    public static SseWriter start(HttpServletResponse response, Map<String, String> extraHeaders) throws ClientGoneException {
        response.setStatus(200);
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

    /** Writes one complete event and flushes it. */
    public void write(byte[] event) throws ClientGoneException {
        lock.lock();
        try {
            out.write(event);
            out.flush();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        } finally {
            lock.unlock();
        }
    }

    /** A comment line ({@code : text}), which clients ignore; used as a heartbeat. CR and LF are removed. */
    public void comment(String text) throws ClientGoneException {
        write((": " + text.replace("\r", "").replace("\n", "") + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
