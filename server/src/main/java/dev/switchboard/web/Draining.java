package dev.switchboard.web;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In front of every route (the API, the pages, {@code /mcp}, WebSocket upgrades): counts the requests being
 * handled, and once the instance is draining refuses new ones with 503 {@code gateway_shutting_down} and
 * {@code Connection: close}, so that clients and load balancers take them to another instance. {@code /healthz}
 * still answers: the process is alive while it drains.
 */
final class Draining implements Filter {
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean draining;

    void start() {
        draining = true;
    }

    /** Requests being handled now, streams included (a WebSocket counts only while it is being upgraded). */
    int active() {
        return active.get();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // Counted before the check: a request let in just as draining begins is one that drain() waits for.
        active.incrementAndGet();
        if (draining && !"/healthz".equals(((HttpServletRequest) request).getRequestURI())) {
            active.decrementAndGet();
            refuse((HttpServletResponse) response);
            return;
        }
        boolean goesOn = false;
        try {
            chain.doFilter(request, response);
            goesOn = request.isAsyncStarted();
        } finally {
            // A request that went asynchronous (a relayed stream) is still being handled until it completes.
            if (goesOn) request.getAsyncContext().addListener(new Completed());
            else active.decrementAndGet();
        }
    }

    /** Counts an asynchronous request out once it is over, however it ended. */
    private final class Completed implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            active.decrementAndGet();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // completion follows
        }

        @Override
        public void onError(AsyncEvent event) {
            // completion follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    private static void refuse(HttpServletResponse response) throws IOException {
        GatewayException refusal = GatewayException.shuttingDown();
        response.setStatus(refusal.status());
        response.setHeader("Retry-After", String.valueOf(refusal.retryAfterSeconds()));
        response.setHeader("Connection", "close");
        response.setContentType("application/json");
        response.getOutputStream().write(Json.write(Json.error(refusal.getMessage(), refusal.type(), refusal.param(),
                refusal.code())).getBytes(StandardCharsets.UTF_8));
    }
}
