package dev.switchboard.upstream;

import java.util.Map;

/**
 * A request to the OpenAI API.
 *
 * @param method    HTTP method
 * @param path      path below the base URL, starting with a slash: {@code /chat/completions}
 * @param query     raw query string without {@code ?}, or null
 * @param body      bytes to send as they are, or null
 * @param headers   extra headers forwarded from the client (an allowlist; never credentials)
 * @param requestId the gateway's request id, sent as {@code X-Client-Request-Id} for tracing across both sides
 */
public record UpstreamRequest(String method, String path, String query, byte[] body, Map<String, String> headers,
                              String requestId) {

    /** A request of the gateway's own making: {@code body} POSTed as JSON to {@code path}, no client headers. */
    public static UpstreamRequest postJson(String path, com.fasterxml.jackson.databind.JsonNode body, String requestId) {
        return new UpstreamRequest("POST", path, null, dev.switchboard.web.Json.write(body)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of(), requestId);
    }
}
