package dev.switchboard.web;

import io.javalin.http.Context;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Every request gets an id, returned as {@code X-Switchboard-Request-Id} and used in log lines and debug events. */
public final class RequestIds {
    public static final String HEADER = "X-Switchboard-Request-Id";
    private static final String ATTRIBUTE = "switchboard.requestId";

    private RequestIds() {}

    static void assign(Context ctx) {
        // Request ids only label log lines and records; they need to be unique, not unguessable.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String id = "sbreq_" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "sbreq_unknown" : id;
    }
}
