package dev.switchboard.web;

/**
 * A refusal of the gateway's own, answered as an OpenAI-shaped error:
 * {@code {"error":{"message","type","param","code"}}} with {@link #status()}. Thrown from any handler before the
 * response has started; see docs/errors.md for the whole taxonomy.
 */
public final class GatewayException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Long retryAfterSeconds;

    public GatewayException(int status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null);
    }

    private GatewayException(int status, String type, String code, String param, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A 429 of the gateway's own limits, with the seconds to wait, sent as {@code Retry-After}. */
    public static GatewayException limited(String code, String message, long retryAfterSeconds) {
        return new GatewayException(429, "rate_limit_error", code, null, message, Math.max(1, retryAfterSeconds));
    }

    /** Seconds a client should wait before trying again, or null. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static GatewayException invalidJson(String detail) {
        return new GatewayException(400, "invalid_request_error", "invalid_json", null,
                "The request body is not valid JSON (" + detail + "). Send one JSON object.");
    }

    public static GatewayException missingParam(String param) {
        return new GatewayException(400, "invalid_request_error", "missing_required_parameter", param,
                "Missing required parameter: '" + param + "'.");
    }

    public static GatewayException invalidParam(String param, String message) {
        return new GatewayException(400, "invalid_request_error", "invalid_value", param, message);
    }

    public static GatewayException missingKey() {
        return new GatewayException(401, "invalid_request_error", "missing_api_key", null,
                "No API key provided. Send a Switchboard key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'; "
                        + "an administrator creates keys with './switchboard keys create'.");
    }

    /** A key that authenticates no one; {@code gatewayShaped} is false for one that is no gateway key at all. */
    public static GatewayException invalidKey(boolean gatewayShaped) {
        return new GatewayException(401, "invalid_request_error", "invalid_api_key", null, gatewayShaped
                ? "The API key is not valid: it is unknown or has been revoked. Ask your Switchboard administrator for a key."
                : "The API key is not a Switchboard key (they start with 'sb-'). This is an OpenAI gateway: send the "
                        + "key your Switchboard administrator gave you, not an OpenAI key; the gateway adds its own "
                        + "OpenAI key upstream.");
    }

    public static GatewayException adminOnly() {
        return new GatewayException(403, "invalid_request_error", "admin_key_required", null,
                "This route needs an admin key. Create one with './switchboard keys create --admin'.");
    }

    /**
     * 404 for an id that names none of the caller's objects, in OpenAI's wording: {@code notFound("run", "run_x")} is
     * "No run found with id 'run_x'.". Every not-found answer of the gateway's own is built here, so they read alike.
     */
    public static GatewayException notFound(String kind, String id) {
        return notFound(kind, id, null);
    }

    /** As {@link #notFound(String, String)}, saying where the gateway looked: "… with id 'X' on this instance.". */
    public static GatewayException notFound(String kind, String id, String where) {
        return new GatewayException(404, "invalid_request_error", "not_found", null,
                "No " + kind + " found with id '" + id + "'" + (where == null ? "" : " " + where) + ".");
    }

    /**
     * 404 worded exactly as OpenAI words it for one of its own objects ("Response with id 'X' not found."), for ids
     * the gateway refuses before they reach OpenAI, so the answer reads as OpenAI's would.
     */
    public static GatewayException notFoundAsOpenAi(String message) {
        return new GatewayException(404, "invalid_request_error", "not_found", null, message);
    }

    public static GatewayException unknownRoute(String method, String path) {
        return new GatewayException(404, "invalid_request_error", "unknown_url", null,
                "Unrecognized request URL (" + method + " " + path + "). The README lists the routes.");
    }

    public static GatewayException methodNotAllowed(String method, String path) {
        return new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                "Method " + method + " is not allowed for " + path + ".");
    }

    /** The code of everything the gateway refuses or ends because its instance is stopping. */
    public static final String SHUTTING_DOWN = "gateway_shutting_down";
    /** What a stream the shutdown ended says, in its API's error event. */
    public static final String SHUTTING_DOWN_MESSAGE = "The gateway instance serving this stream is shutting down and "
            + "ended it here; the events above are all it sent. Send the request again: another instance will answer "
            + "(a background response can be retrieved from /v1/responses/{id}).";

    /** A request that arrived while the instance stops: a retry reaches another instance. */
    public static GatewayException shuttingDown() {
        return new GatewayException(503, "server_error", SHUTTING_DOWN, null,
                "This gateway instance is shutting down and takes no new requests. Retry the request: another "
                        + "instance will answer it.", 1L);
    }

    public static GatewayException tooLarge(long limit) {
        return new GatewayException(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than this gateway accepts (" + limit + " bytes; SWITCHBOARD_MAX_BODY_BYTES).");
    }

    public static GatewayException unsupportedMediaType(String contentType) {
        return new GatewayException(415, "invalid_request_error", "unsupported_media_type", null,
                "Content-Type '" + contentType + "' is not supported here. Send the body as 'Content-Type: application/json'.");
    }

    public static GatewayException upstreamUnreachable(String detail) {
        return new GatewayException(502, "upstream_error", "upstream_unreachable", null,
                "The gateway could not reach the OpenAI API (" + detail + "). Check OPENAI_BASE_URL and the network; "
                        + "'./switchboard doctor' tests the connection.");
    }

    /**
     * OpenAI refused the gateway's own key. The client's gateway key was accepted: passing OpenAI's
     * {@code invalid_api_key} through would read as if it had not been, so this names whose key failed and who fixes it.
     */
    public static GatewayException upstreamKeyRejected(int status) {
        return new GatewayException(502, "upstream_error", "upstream_key_rejected", null,
                "OpenAI refused this gateway's own OpenAI API key (HTTP " + status + "). Your gateway key was accepted; "
                        + "the gateway's operator must set a valid OPENAI_API_KEY and restart the gateway "
                        + "('./switchboard doctor' checks the key).");
    }

    public static GatewayException upstreamTimeout(String detail) {
        return new GatewayException(504, "upstream_error", "upstream_timeout", null,
                "The OpenAI API did not answer in time (" + detail + "). Try again; operators can raise "
                        + "SWITCHBOARD_UPSTREAM_RESPONSE_TIMEOUT.");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }
}
