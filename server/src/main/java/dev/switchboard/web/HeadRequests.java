package dev.switchboard.web;

import io.javalin.http.Context;

/**
 * Refuses {@code HEAD} outside the static assets. Javalin answers a {@code HEAD} for any path that has a {@code GET}
 * route with 200 and an empty body, without running the route: no key checked, no limit, no upstream call. So
 * {@code HEAD /api/admin/keys} with no key, or {@code HEAD /readyz} while the database is down, said 200. A 405 that
 * names {@code GET} is the honest answer; OpenAI's API and its SDKs never send {@code HEAD}.
 */
final class HeadRequests {
    private HeadRequests() {}

    static void refuse(Context ctx) {
        if (!"HEAD".equals(ctx.req().getMethod()) || ctx.path().startsWith("/assets/")) return;
        ctx.header("Allow", "GET");
        throw new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                "The gateway does not answer HEAD here: send a GET.");
    }
}
