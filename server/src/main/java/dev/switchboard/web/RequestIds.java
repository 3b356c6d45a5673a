package dev.switchboard.web;

import io.javalin.http.Context;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Every request gets an id, returned as {@code X-Switchboard-Request-Id} and used in log lines and debug events. */
public final class RequestIds {
    public static final String HEADER = "X-Switchboard-Request-Id";
    static final String ATTRIBUTE = "switchboard.requestId";

    private RequestIds() {}

    static void assign(Context ctx) {
        String id = next();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    /** A new id, for work that is not an HTTP request (a WebSocket session). */
    public static String next() {
        // Request ids only label log lines and records; they need to be unique, not unguessable.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "sbreq_" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "sbreq_unknown" : id;
    }
}
