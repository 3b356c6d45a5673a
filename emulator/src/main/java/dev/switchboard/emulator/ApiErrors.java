package dev.switchboard.emulator;

import io.javalin.http.Context;

/** Writes OpenAI-shaped error bodies: {@code {"error":{"message","type","param","code"}}}. */
public final class ApiErrors {
    private ApiErrors() {}

    public static void send(Context ctx, int status, String type, String code, String message) {
        send(ctx, status, type, null, code, message);
    }

    /** An error naming the request parameter it is about, as OpenAI names it in {@code param}. */
    public static void send(Context ctx, int status, String type, String param, String code, String message) {
        ctx.status(status).contentType("application/json")
                .result(Json.write(Json.obj("error", Json.obj("message", message, "type", type, "param", param, "code", code))));
    }

    public static void notFound(Context ctx, String what) {
        send(ctx, 404, "invalid_request_error", "not_found", what + " not found.");
    }

    public static void badRequest(Context ctx, String message) {
        send(ctx, 400, "invalid_request_error", null, message);
    }

    /** The scripted failure, as OpenAI would send it for that status. */
    static void scripted(Context ctx, Script script) {
        int status = script.failStatus();
        switch (status) {
            case 429 -> {
                ctx.header("Retry-After", String.valueOf(script.retryAfter() == null ? 1 : script.retryAfter()));
                send(ctx, 429, "requests", "rate_limit_exceeded",
                        "Rate limit reached for requests (emulated). Please try again later.");
            }
            case 401 -> send(ctx, 401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided (emulated).");
            case 404 -> send(ctx, 404, "invalid_request_error", "model_not_found", "The model does not exist (emulated).");
            default -> send(ctx, status, "server_error", null,
                    "The server had an error while processing your request (emulated HTTP " + status + ").");
        }
    }
}
