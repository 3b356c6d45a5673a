package dev.switchboard.web;

import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log, {@code switchboard.access}: one line per HTTP request when it is answered, one per refused
 * WebSocket upgrade, and one per WebSocket session when it ends (status 101, the session's whole length, and how it
 * closed). Each line has the request id,
 * the method, the path (never the query, which may carry tokens), the status, the duration and the gateway key's id.
 */
public final class AccessLog {
    private static final Logger ACCESS = LoggerFactory.getLogger("switchboard.access");
    private static final String KEY_ID = "switchboard.access.keyId";
    private static final String UPGRADED_AT = "switchboard.access.upgradedAt";
    private static final String OBSERVED = "switchboard.access.observed";

    private AccessLog() {}

    /** The key a request was made with, named on its line; the authenticator says so once it knows. */
    public static void keyId(Context ctx, String keyId) {
        ctx.attribute(KEY_ID, keyId);
    }

    static void request(Context ctx, float millis) {
        ACCESS.info("{} {} {} {} {}ms key={}", RequestIds.of(ctx), ctx.method(), ctx.path(), ctx.statusCode(),
                Math.round(millis), keyOf(ctx.attribute(KEY_ID)));
    }

    /** The request starts: {@code observer} is told, and told again once when it ends (its line is written). */
    static void observe(Context ctx, RequestObserver observer) {
        RequestObserver.Observed observed = observer.started(RequestIds.of(ctx), ctx.method().name(), ctx.path(), ctx::header);
        if (observed != RequestObserver.Observed.NONE) ctx.attribute(OBSERVED, observed);
    }

    /** The request was answered: its observer is told (once; an observer ignores a second call too). */
    static void ended(Context ctx, int status) {
        RequestObserver.Observed observed = ctx.attribute(OBSERVED);
        if (observed == null) return;
        ctx.attribute(OBSERVED, null);
        observed.ended(route(ctx), status, (String) ctx.attribute(KEY_ID));
    }

    /** The route that matched, such as {@code /v1/threads/{thread_id}/runs}: a span's name, unlike the path's ids. */
    private static String route(Context ctx) {
        try {
            var endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? null : endpoint.path;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** An upgrade is being asked for: its session's line counts from here. */
    static void upgrading(Context ctx) {
        ctx.attribute(UPGRADED_AT, System.nanoTime());
    }

    /**
     * An upgrade was refused with an HTTP error: its line, as a request's would be (Javalin's request logger is not
     * called for upgrades).
     */
    static void refusedUpgrade(Context ctx) {
        Long upgradedAt = ctx.attribute(UPGRADED_AT);
        if (upgradedAt == null) return;
        ACCESS.info("{} {} {} {} {}ms key={}", RequestIds.of(ctx), ctx.method(), ctx.path(), ctx.statusCode(),
                (System.nanoTime() - upgradedAt) / 1_000_000, keyOf(ctx.attribute(KEY_ID)));
        ended(ctx, ctx.statusCode());
    }

    /** Logs each WebSocket session when it closes or fails. */
    static void sessions(WsConfig ws) {
        ws.onClose(ctx -> session(ctx, "closed " + ctx.status()));
        ws.onError(ctx -> session(ctx, "failed"));
    }

    private static void session(WsContext ctx, String ending) {
        Long upgradedAt = ctx.attribute(UPGRADED_AT);
        long millis = upgradedAt == null ? 0 : (System.nanoTime() - upgradedAt) / 1_000_000;
        String requestId = ctx.attribute(RequestIds.ATTRIBUTE);
        ACCESS.info("{} GET {} 101 {}ms key={} {}", requestId == null ? "sbreq_unknown" : requestId,
                ctx.session.getUpgradeRequest().getRequestURI().getRawPath(), millis, keyOf(ctx.attribute(KEY_ID)),
                ending);
        RequestObserver.Observed observed = ctx.attribute(OBSERVED);
        if (observed != null) observed.ended(null, 101, ctx.attribute(KEY_ID));
    }

    private static String keyOf(Object keyId) {
        return keyId == null ? "-" : keyId.toString();
    }
}
