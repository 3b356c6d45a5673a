package dev.switchboard.web;

import io.javalin.http.Context;

/**
 * Refuses {@code X-HTTP-Method-Override}. Javalin takes a request's method from that header when it is present, so a
 * {@code GET} carrying {@code X-HTTP-Method-Override: DELETE} would be routed, judged and forwarded to OpenAI as a
 * {@code DELETE} while every proxy, firewall and log in front of the gateway saw a {@code GET}. No OpenAI SDK sends
 * it; a request that does is refused before any route sees it, so the method the gateway acts on is always the one
 * on the request line.
 */
final class MethodOverride {
    static final String HEADER = "X-HTTP-Method-Override";

    private MethodOverride() {}

    static void refuse(Context ctx) {
        if (ctx.header(HEADER) == null) return;
        throw new GatewayException(400, "invalid_request_error", "method_override_not_supported", null,
                "The gateway does not take " + HEADER + ": send the request with the method it is meant to have.");
    }
}
