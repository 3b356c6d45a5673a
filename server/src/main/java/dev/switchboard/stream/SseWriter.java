package dev.switchboard.stream;

import dev.switchboard.web.AsyncBodies;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;

/**
 * Writes an event stream to one client: raw bytes, each write sent at once. Writes go straight to Jetty's response
 * without blocking ({@link #send}): the relay writes an event on the thread that read it and reads on when the write
 * has gone, so a slow client slows the upstream read rather than filling a buffer. Writes are queued and sent one at
 * a time, in order, so heartbeats and the relay never interleave bytes; the blocking forms wait for their own write,
 * for callers on a thread of their own. Once a write fails the writer is gone for good and every later write fails
 * at once.
 */
public final class SseWriter {
    private static final byte[] EMPTY = new byte[0];

    private final Response response;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final Queue<Runnable> goneListeners = new ConcurrentLinkedQueue<>();
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile Throwable failure;
    private volatile boolean finished;
    private volatile CompletableFuture<Void> whenIdle;

    private SseWriter(Response response) {
        this.response = response;
    }

    /**
     * Sends status 200 and the event-stream headers (no caching, no proxy buffering), plus {@code extraHeaders}; the
     * headers leave at once, before the first event. A client already gone fails the first write.
     */
    public static SseWriter start(Context ctx, Map<String, String> extraHeaders) {
        var servletResponse = ctx.res();
        servletResponse.setStatus(200);
        servletResponse.setContentType("text/event-stream");
        servletResponse.setHeader("Cache-Control", "no-cache");
        servletResponse.setHeader("X-Accel-Buffering", "no");
        extraHeaders.forEach(servletResponse::setHeader);
        // The servlet layer's output stream would aggregate and copy every event; its response underneath writes
        // each one as it is given. The servlet layer still ends the response when the request completes.
        SseWriter writer = new SseWriter(AsyncBodies.response(ctx));
        // Told at once when the client's connection fails or, over HTTP/2, it resets the stream, whether or not a
        // write is under way: a stream waiting on a thinking model learns then, not at its next event.
        ServletContextRequest.getServletContextRequest(ctx.req()).addFailureListener(failure -> {
            writer.clientFailed(failure);
            writer.sendNext();
        });
        writer.send(EMPTY, Callback.NOOP);
        return writer;
    }

    /** Writes one event with an {@code id:} line carrying its sequence number; blocks until it has gone. */
    public void write(long seq, byte[] event) throws ClientGoneException {
        await(concat(idLine(seq), event));
    }

    /** {@code id: N\n} in ASCII, without going through a String. */
    static byte[] idLine(long seq) {
        byte[] line = new byte[idLineLength(seq)];
        putIdLine(seq, line, 0);
        return line;
    }

    /** The length of {@link #idLine}. */
    static int idLineLength(long seq) {
        return 4 + digits(seq) + 1;
    }

    /** Writes {@link #idLine} into {@code target} at {@code offset}, where there is room for it. */
    static void putIdLine(long seq, byte[] target, int offset) {
        int digits = digits(seq);
        target[offset] = 'i';
        target[offset + 1] = 'd';
        target[offset + 2] = ':';
        target[offset + 3] = ' ';
        for (int i = offset + 3 + digits; i >= offset + 4; i--, seq /= 10) target[i] = (byte) ('0' + seq % 10);
        target[offset + 4 + digits] = '\n';
    }

    private static int digits(long seq) {
        int digits = 1;
        for (long rest = seq / 10; rest > 0; rest /= 10) digits++;
        return digits;
    }

    /** Writes one event with an {@code id:} line of the caller's making (CR and LF removed); blocks until it has gone. */
    public void write(String id, byte[] event) throws ClientGoneException {
        await(concat(("id: " + id.replace("\r", "").replace("\n", "") + "\n").getBytes(StandardCharsets.UTF_8), event));
    }

    /** Writes bytes that form complete events; blocks until they have gone. */
    public void write(byte[] event) throws ClientGoneException {
        await(event);
    }

    /** A comment line ({@code : text}), which clients ignore; used as a heartbeat. CR and LF are removed. */
    public void comment(String text) throws ClientGoneException {
        write(commentLine(text.replace("\r", "").replace("\n", "")));
    }

    static byte[] commentLine(String text) {
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends bytes that form complete events without waiting: {@code done} succeeds once they have gone to the client,
     * or fails (on some thread) when the client is gone. Sent after every write queued before it.
     */
    public void send(byte[] bytes, Callback done) {
        send(ByteBuffer.wrap(bytes), done);
    }

    /** {@link #send(byte[], Callback)}, for bytes the caller will not touch until {@code done} completes. */
    public void send(ByteBuffer bytes, Callback done) {
        if (failure != null) {
            done.failed(failure);
            return;
        }
        queue.add(new Pending(bytes, done));
        sendNext();
    }

    /**
     * Runs {@code gone} (once, on some thread) when the client is found gone: a write failed (an event's or a
     * heartbeat's), or the server learnt that its connection failed or its stream was reset. Writes fail from then on.
     */
    public void onGone(Runnable gone) {
        goneListeners.add(gone);
        if (failure != null && goneListeners.remove(gone)) gone.run();
    }

    private void clientFailed(Throwable cause) {
        if (failure == null) failure = cause;
        for (Runnable gone : goneListeners) {
            if (goneListeners.remove(gone)) gone.run();
        }
    }

    /** True when nothing is being written or waits to be: a heartbeat would not delay an event. */
    boolean idle() {
        return !writing.get() && queue.isEmpty();
    }

    /** Nanoseconds (System.nanoTime) of the last successful write. */
    long lastWriteNanos() {
        return lastWriteNanos;
    }

    public boolean gone() {
        return failure != null;
    }

    /**
     * No write starts after this one (a heartbeat queued behind the stream's last event is dropped): the answer
     * completes once none is under way, and the response may then be ended.
     */
    public CompletableFuture<Void> finish() {
        finished = true;
        dropQueued();
        if (!writing.get()) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> idle = new CompletableFuture<>();
        whenIdle = idle;
        if (!writing.get()) idle.complete(null);
        return idle;
    }

    private void dropQueued() {
        for (Pending dropped; (dropped = queue.poll()) != null; ) dropped.done.succeeded();
    }

    /** A write has ended: the next one starts, unless the writer is finished. */
    private void writeEnded() {
        if (!finished) {
            sendNext();
            return;
        }
        dropQueued();
        CompletableFuture<Void> idle = whenIdle;
        if (idle != null) idle.complete(null);
    }

    /** Starts the next queued write unless one is under way; the write's completion starts the one after. */
    private void sendNext() {
        while (!finished && !queue.isEmpty() && writing.compareAndSet(false, true)) {
            Pending next = queue.poll();
            if (next == null) {
                writing.set(false);
                continue;
            }
            if (failure != null) {
                writing.set(false);
                next.done.failed(failure);
                continue;
            }
            response.write(false, next.bytes, new Callback() {
                @Override
                public void succeeded() {
                    lastWriteNanos = System.nanoTime();
                    writing.set(false);
                    next.done.succeeded();
                    writeEnded();
                }

                @Override
                public void failed(Throwable x) {
                    clientFailed(x);
                    writing.set(false);
                    next.done.failed(x);
                    writeEnded();
                }

                @Override
                public InvocationType getInvocationType() {
                    return InvocationType.NON_BLOCKING;
                }
            });
            return;
        }
    }

    private void await(byte[] bytes) throws ClientGoneException {
        FutureCallback sent = new FutureCallback();
        send(bytes, sent);
        try {
            sent.get();
        } catch (ExecutionException e) {
            throw new ClientGoneException(e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGoneException(new IOException("interrupted while writing"));
        }
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private record Pending(ByteBuffer bytes, Callback done) {}
}
