package dev.switchboard.web;

import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletCoreResponse;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Reads and writes bodies without a thread waiting on them, for requests that went asynchronous (the forwarded API):
 * each step runs on the I/O thread that found it possible, and the next read is asked for only once the previous
 * write has gone, so a slow side slows the other rather than filling a buffer. Writes go to Jetty's response under
 * the servlet layer, which still ends the response when the request completes.
 */
public final class AsyncBodies {
    private AsyncBodies() {
    }

    /** How a copy ended. */
    public enum Copied {
        /** Every byte reached the client. */
        COMPLETED,
        /** The client went away; what is left of the source was not read. */
        CLIENT_GONE,
        /** The source failed before its end; the client's connection was aborted (see {@link #copy}). */
        SOURCE_FAILED
    }

    /**
     * Reads up to {@code limit} bytes of {@code source}: the answer holds all of it when it is that small, else what
     * was read when the limit was passed (more than {@code limit} bytes; the rest is left in the source). Fails when
     * the source does.
     */
    public static CompletableFuture<byte[]> readUpTo(Content.Source source, int limit) {
        Reading reading = new Reading(source, limit);
        reading.run();
        return reading.done;
    }

    /** Writes {@code body} to the client; the answer fails when the client has gone. */
    public static CompletableFuture<Void> write(Context ctx, byte[] body) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        response(ctx).write(false, ByteBuffer.wrap(body), org.eclipse.jetty.util.Callback.from(() -> written.complete(null),
                written::completeExceptionally));
        return written;
    }

    /**
     * Writes {@code head} (when not null), then the rest of {@code source}, to the client. A source that fails after
     * the first byte aborts the client's connection: ending the response normally would hand the client a truncated
     * file as if it were whole.
     */
    public static CompletableFuture<Copied> copy(Context ctx, byte[] head, Content.Source source) {
        Copy copy = new Copy(ctx, head, source);
        copy.iterate();
        return copy.done;
    }

    /**
     * Aborts the client's connection (a reset for HTTP/2): the response it was getting is known to be incomplete.
     */
    public static void abort(Context ctx, Throwable cause) {
        ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(cause);
    }

    /**
     * The request's response as Jetty's own, written without blocking: under the servlet layer, which counts what is
     * written this way (a length it announced is checked against it) and still ends the response when the request
     * completes. Only for a response nothing was written to through the servlet API.
     */
    public static Response response(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        return ServletCoreResponse.wrap(request, request.getServletContextResponse().getServletApiResponse(), false);
    }

    /** Reads chunk by chunk, asking to be called back when none is ready. */
    private static final class Reading implements Runnable {
        private final Content.Source source;
        private final int limit;
        private final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private byte[] bytes = new byte[1024];
        private int length;

        Reading(Content.Source source, int limit) {
            this.source = source;
            this.limit = limit;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    source.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    done.completeExceptionally(chunk.getFailure());
                    return;
                }
                ByteBuffer buffer = chunk.getByteBuffer();
                int n = buffer.remaining();
                if (length + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
                buffer.get(bytes, length, n);
                length += n;
                boolean last = chunk.isLast();
                chunk.release();
                if (last || length > limit) {
                    done.complete(Arrays.copyOf(bytes, length));
                    return;
                }
            }
        }
    }

    /** One copy, as an iteration: each step writes what has been read, and the write's completion takes the next. */
    private static final class Copy extends IteratingCallback {
        private final Context ctx;
        private final Content.Source source;
        private final Response response;
        private final CompletableFuture<Copied> done = new CompletableFuture<>();
        private byte[] head;
        private Content.Chunk writing;
        private Copied outcome;

        Copy(Context ctx, byte[] head, Content.Source source) {
            this.ctx = ctx;
            this.head = head;
            this.source = source;
            this.response = response(ctx);
        }

        @Override
        protected Action process() {
            if (outcome != null) return Action.SUCCEEDED;
            if (head != null) {
                byte[] first = head;
                head = null;
                response.write(false, ByteBuffer.wrap(first), this);
                return Action.SCHEDULED;
            }
            while (true) {
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    source.demand(this::iterate);
                    return Action.IDLE;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    AsyncBodies.abort(ctx, chunk.getFailure());
                    outcome = Copied.SOURCE_FAILED;
                    return Action.SUCCEEDED;
                }
                if (chunk.isLast()) outcome = Copied.COMPLETED;
                if (chunk.hasRemaining()) {
                    writing = chunk;
                    response.write(false, chunk.getByteBuffer(), this);
                    return Action.SCHEDULED;
                }
                chunk.release();
                if (outcome != null) return Action.SUCCEEDED;
            }
        }

        @Override
        protected void onSuccess() {
            release();
        }

        @Override
        protected void onCompleteSuccess() {
            done.complete(outcome);
        }

        @Override
        protected void onCompleteFailure(Throwable clientGone) {
            release();
            done.complete(Copied.CLIENT_GONE);
        }

        private void release() {
            Content.Chunk written = writing;
            writing = null;
            if (written != null) written.release();
        }
    }
}
