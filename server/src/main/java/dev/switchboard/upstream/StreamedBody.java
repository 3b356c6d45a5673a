package dev.switchboard.upstream;

import dev.switchboard.web.GatewayException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.FutureCallback;

/**
 * A request body sent upstream as it is read from the client, never held whole: an upload of any size costs one
 * buffer. The HTTP client sends what it read before reading more, so the client's upload goes at the pace upstream
 * takes it.
 *
 * <p>With a known length the body is sent with {@code Content-Length} (sent chunked, some upstreams refuse uploads);
 * the request fails when the source gives fewer or more bytes than that. Whatever ends the source early (the client
 * left, a bound was passed, a form field was refused while passing) aborts the upstream request before its
 * body ends, so upstream never acts on it; {@link #refusal()} then says why, in place of the HTTP client's error.
 */
public final class StreamedBody {
    private final InputStream source;
    private final long length;
    private final String contentType;
    private final long maxBytes;
    private final AtomicLong read = new AtomicLong();
    private volatile GatewayException refusal;

    /**
     * @param source      the client's body
     * @param length      its {@code Content-Length}, or -1 when it is sent chunked
     * @param contentType sent upstream as the client sent it (a multipart body's boundary is in it)
     * @param maxBytes    the most this body may hold; past it the request is aborted with 413
     */
    public StreamedBody(InputStream source, long length, String contentType, long maxBytes) {
        if (length > maxBytes) throw tooLarge(maxBytes);
        this.source = source;
        this.length = length;
        this.contentType = contentType;
        this.maxBytes = maxBytes;
    }

    public String contentType() {
        return contentType;
    }

    public long length() {
        return length;
    }

    /** Bytes read from the client so far. */
    public long bytesRead() {
        return read.get();
    }

    /** True while nothing has been read: the request can still be sent again. */
    public boolean untouched() {
        return read.get() == 0;
    }

    /** Why reading the body stopped early, when it was not the upstream's doing; else null. */
    public GatewayException refusal() {
        return refusal;
    }

    /** Ends the body with {@code refusal}: the next read fails, which aborts the upstream request. */
    public void refuse(GatewayException refusal) {
        if (this.refusal == null) this.refusal = refusal;
    }

    /**
     * The body as the HTTP client sends it: with its length when known, else chunked. The client's body is read on a
     * virtual thread of its own and handed over a chunk at a time; the next chunk is read only once the upstream
     * connection took the last, so the client's upload goes at the upstream's pace. Read on the HTTP client's own
     * threads instead (an {@code InputStreamRequestContent}), each upload would hold one of its bounded pool while
     * its client sends, and a few hundred slow uploads would stop every other request reaching upstream.
     */
    Request.Content content() {
        Counting in = new Counting();
        return new AsyncRequestContent(contentType) {
            private final AtomicBoolean reading = new AtomicBoolean();

            @Override
            public long getLength() {
                return length;
            }

            @Override
            public void demand(Runnable demandCallback) {
                // Started when the request's body is first wanted: a request never sent reads none of it.
                if (reading.compareAndSet(false, true)) Thread.ofVirtual().name("upload-body").start(() -> pump(in, this));
                super.demand(demandCallback);
            }
        };
    }

    /**
     * Reads the client's body into {@code content} until it ends, or fails it with why it could not be read. Each
     * chunk is handed over only once the read after it has returned: a refusal that comes with the body's end (a form
     * without its closing boundary) then fails the request before its last bytes leave, so upstream never gets a
     * whole body to act on.
     */
    private static void pump(InputStream in, AsyncRequestContent content) {
        byte[] held = new byte[64 * 1024];
        byte[] next = new byte[64 * 1024];
        int heldLength = 0;
        try {
            while (true) {
                int n = in.read(next);
                if (n == 0) continue;
                if (heldLength > 0) {
                    FutureCallback sent = new FutureCallback();
                    content.write(ByteBuffer.wrap(held, 0, heldLength), sent);
                    // Succeeds once the chunk has gone upstream (its buffer is free again); fails once the request ended.
                    sent.get();
                }
                if (n < 0) break;
                byte[] read = next;
                next = held;
                held = read;
                heldLength = n;
            }
            content.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            content.fail(e);
        } catch (Throwable failure) {
            content.fail(failure);
        }
    }

    private static GatewayException tooLarge(long maxBytes) {
        return new GatewayException(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than this gateway accepts for uploads (" + maxBytes
                        + " bytes; SWITCHBOARD_MAX_UPLOAD_BYTES).");
    }

    /** Thrown by a source that refuses what passes through it (a form field): the request ends with the refusal. */
    public static final class Refused extends IOException {
        private final transient GatewayException refusal;

        public Refused(GatewayException refusal) {
            super("request body refused: " + refusal.code());
            this.refusal = refusal;
        }

        public GatewayException refusal() {
            return refusal;
        }
    }

    /** The client's body as the HTTP client reads it: counted, bounded, and failing once a refusal is set. */
    private final class Counting extends FilterInputStream {
        Counting() {
            super(source);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int size) throws IOException {
            if (refusal != null) throw new IOException("request body refused: " + refusal.code());
            int n;
            try {
                n = super.read(target, offset, size);
            } catch (Refused refused) {
                refuse(refused.refusal());
                throw refused;
            } catch (IOException clientLeft) {
                refuse(new GatewayException(400, "invalid_request_error", "request_body_incomplete", null,
                        "The request body ended before it was complete (the client stopped sending it)."));
                throw clientLeft;
            }
            if (n > 0 && read.addAndGet(n) > maxBytes) {
                refuse(tooLarge(maxBytes));
                throw new IOException("request body over " + maxBytes + " bytes");
            }
            if (refusal != null) throw new IOException("request body refused: " + refusal.code());
            return n;
        }

        @Override
        public void close() {
            // The client's stream belongs to the server; the HTTP client closing its copy must not end the request early.
        }
    }
}
