package dev.switchboard.web;

import io.javalin.http.Context;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Answers a request asynchronously ({@link Context#future}), handing Javalin the answer only while the request is
 * still there. A client can end its request before the answer does (an HTTP/2 stream it resets): Jetty then completes
 * and recycles the request, and Javalin, finishing it once the answer completes, reads a response that no longer
 * exists; its error handling fails on the same response again and again, spinning the thread that completed the answer
 * (for a relay, an upstream I/O thread, which then never closes the upstream request). An answer that outlives its
 * request is dropped instead: there is no one to give it to.
 */
public final class AsyncRequests {
    private AsyncRequests() {
    }

    /** Runs {@code answer} as the request's asynchronous answer; the request completes once it does. */
    public static void answer(Context ctx, Supplier<? extends CompletableFuture<?>> answer) {
        ctx.future(() -> {
            AtomicBoolean open = new AtomicBoolean(true);
            // Javalin started the asynchronous request before asking for the answer.
            ctx.req().getAsyncContext().addListener(new Ended(open));
            CompletableFuture<Object> forJavalin = new CompletableFuture<>();
            answer.get().whenComplete((answered, failed) -> {
                if (!open.compareAndSet(true, false)) return;
                if (failed == null) forJavalin.complete(answered);
                else forJavalin.completeExceptionally(failed);
            });
            return forJavalin;
        });
    }

    /** Notes that the container ended the request (completed it, or is about to after an error). */
    private record Ended(AtomicBoolean open) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            open.set(false);
        }

        @Override
        public void onError(AsyncEvent event) {
            open.set(false);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // Javalin's own listener answers a timeout
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // the request is not started again
        }
    }
}
