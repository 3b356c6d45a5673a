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
        var request = new RecordedRequest(ctx.method().name(), ctx.path(), ctx.queryString(), headers, ctx.body());
        synchronized (requests) {
            if (requests.size() == CAPACITY) requests.removeFirst();
            requests.addLast(request);
        }
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
