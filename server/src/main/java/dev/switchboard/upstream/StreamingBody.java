package dev.switchboard.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An upstream body as a blocking InputStream that hands over every byte received before reporting a failure.
 * The JDK's own {@code BodyHandlers.ofInputStream()} discards buffered data as soon as the connection fails, so a
 * stream cut by upstream would lose events the gateway had already received. Demand is one buffer list ahead of
 * the reader, which gives backpressure. {@link #close()} cancels the exchange and wakes a blocked reader.
 */
final class StreamingBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    /** Holds List&lt;ByteBuffer&gt;, a Throwable, END or CLOSED, in arrival order. */
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;

    private Iterator<ByteBuffer> currentList;
    private ByteBuffer current;
    private boolean ended;

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) s.cancel();
        else s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        queue.add(buffers);
    }

    @Override
    public void onError(Throwable failure) {
        queue.add(failure);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) return 0;
        while (current == null || !current.hasRemaining()) {
            if (closed) throw new IOException("upstream body closed");
            if (currentList != null && currentList.hasNext()) {
                current = currentList.next();
                continue;
            }
            if (ended) return -1;
            Object item = take();
            if (item == END) {
                ended = true;
                return -1;
            }
            if (item == CLOSED) throw new IOException("upstream body closed");
            if (item instanceof Throwable failure) {
                queue.add(failure); // later reads fail the same way
                throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
            }
            currentList = ((List<ByteBuffer>) item).iterator();
            subscription.request(1);
        }
        int n = Math.min(length, current.remaining());
        current.get(target, offset, n);
        return n;
    }

    /** Bytes readable without blocking: at least what is left of the current buffer; 1 when only more buffers wait. */
    @Override
    public int available() {
        ByteBuffer buffer = current;
        if (buffer != null && buffer.hasRemaining()) return buffer.remaining();
        Iterator<ByteBuffer> list = currentList;
        return (list != null && list.hasNext()) || queue.peek() instanceof List<?> ? 1 : 0;
    }

    /** Cancels the exchange unless the body was read to its end (then the connection goes back to the pool). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null && !ended) s.cancel();
        queue.add(CLOSED);
    }

    private Object take() throws InterruptedIOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for upstream");
        }
    }
}
