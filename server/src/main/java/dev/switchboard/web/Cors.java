package dev.switchboard.web;

import dev.switchboard.config.ServerSettings;
import io.javalin.http.Context;

/**
 * Cross-origin access for the origins the operator listed, and for no other: a listed origin gets
 * {@code Access-Control-Allow-Origin} (never {@code *}) and the gateway's own headers exposed, and its preflight is
 * answered before authentication (a preflight carries no key). An unlisted origin's preflight is answered
 * without the headers, so its browser refuses the call.
 */
public final class Cors {
    private static final String METHODS = "GET, POST, PUT, DELETE, OPTIONS";
    private static final String HEADERS = "Authorization, Content-Type, X-API-Key, Last-Event-ID, OpenAI-Beta, X-Client-Request-Id";
    private static final String EXPOSED = "X-Switchboard-Request-Id, X-Switchboard-Stream-Id, X-Switchboard-Agent-Run-Id, "
            + "X-Switchboard-Session-Id, X-Switchboard-Call-Id, X-Switchboard-Ice-Servers, Retry-After, Location, x-request-id";

    private final ServerSettings.Cors settings;

    public Cors(ServerSettings.Cors settings) {
        this.settings = settings;
    }

    /** Before every route: headers for a listed origin; a preflight answered here. */
    public void apply(Context ctx) {
        String origin = ctx.header("Origin");
        boolean preflight = ctx.method().name().equals("OPTIONS") && ctx.header("Access-Control-Request-Method") != null;
        if (origin != null) ctx.header("Vary", "Origin");
        boolean allowed = origin != null && settings.origins().contains(origin);
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            if (settings.credentials()) ctx.header("Access-Control-Allow-Credentials", "true");
            if (!preflight) ctx.header("Access-Control-Expose-Headers", EXPOSED);
        }
        if (preflight) {
            if (allowed) {
                ctx.header("Access-Control-Allow-Methods", METHODS).header("Access-Control-Allow-Headers", HEADERS)
                        .header("Access-Control-Max-Age", "600");
            }
            ctx.status(204);
            ctx.skipRemainingHandlers();
        }
    }
}
