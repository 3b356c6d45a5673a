package dev.switchboard.trace;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attributes spans carry: OpenTelemetry's GenAI and HTTP semantic conventions, and the gateway's own ids.
 * Never a prompt, a completion, a key or a query string.
 */
final class GenAi {
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    /** The older name of the provider attribute, still read by many backends. */
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> API_TYPE = AttributeKey.stringKey("openai.api.type");
    static final AttributeKey<String> OPENAI_REQUEST_ID = AttributeKey.stringKey("openai.request_id");

    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("switchboard.request_id");
    static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("switchboard.key_id");
    static final AttributeKey<String> STREAM_ID = AttributeKey.stringKey("switchboard.stream_id");
    static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("switchboard.endpoint");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("switchboard.outcome");

    static final String OPENAI = "openai";

    private GenAi() {}

    /**
     * The convention's operation for an API path (below {@code /v1} or not): {@code chat} for Chat Completions and
     * the Responses API (the convention's name for both), {@code text_completion}, {@code embeddings}; null for the
     * rest, which are not model calls in the convention's sense.
     */
    static String operation(String path) {
        if (path == null) return null;
        String p = path.startsWith("/v1/") ? path.substring(3) : path;
        return switch (p) {
            case "/chat/completions", "/responses" -> "chat";
            case "/completions" -> "text_completion";
            case "/embeddings" -> "embeddings";
            default -> null;
        };
    }

    /**
     * A path with its ids replaced ({@code /v1/responses/resp_1} becomes {@code /v1/responses/{id}}), for a span's
     * name: names are grouped on, so they must not be one per object.
     */
    static String template(String path) {
        if (path == null) return "exchange";
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].matches(".*[0-9_].*") && !segments[i].matches("v[0-9]+")) segments[i] = "{id}";
        }
        return String.join("/", segments);
    }

    /** OpenAI's own name for the API a path belongs to ({@code openai.api.type}), where the convention names one. */
    static String apiType(String path) {
        if (path == null) return null;
        String p = path.startsWith("/v1/") ? path.substring(3) : path;
        return switch (p) {
            case "/chat/completions" -> "chat_completions";
            case "/responses" -> "responses";
            case "/embeddings" -> "embeddings";
            default -> null;
        };
    }
}
