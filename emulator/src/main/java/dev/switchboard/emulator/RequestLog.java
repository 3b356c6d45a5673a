package dev.switchboard.emulator;

import io.javalin.http.Context;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The most recent requests, oldest first, bounded. */
final class RequestLog {
    private static final int CAPACITY = 1_000;
    private final Deque<RecordedRequest> requests = new ArrayDeque<>();

    void record(Context ctx) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(ctx.headerMap());
        String body = streamed(ctx) ? "" : ctx.body();
        var request = new RecordedRequest(ctx.method().name(), ctx.path(), ctx.queryString(), headers, body);
        synchronized (requests) {
            if (requests.size() == CAPACITY) requests.removeFirst();
            requests.addLast(request);
        }
    }

    /** File uploads stream to disk from the request: the log keeps no body for them (half a gigabyte would not fit). */
    private static boolean streamed(Context ctx) {
        String path = ctx.path();
        return ctx.method().name().equals("POST") && (path.equals("/v1/files") || path.startsWith("/v1/uploads/") && path.endsWith("/parts"));
    }

    List<RecordedRequest> all() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    void clear() {
        synchronized (requests) {
            requests.clear();
        }
    }
}
