package dev.switchboard.web;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Every request gets an id, returned as {@code X-Switchboard-Request-Id} and used in log lines and debug events. */
public final class RequestIds {
    public static final String HEADER = "X-Switchboard-Request-Id";
    private static final String ATTRIBUTE = "switchboard.requestId";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {}

    static void assign(Context ctx) {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        String id = "sbreq_" + HexFormat.of().formatHex(bytes);
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "sbreq_unknown" : id;
    }
}
