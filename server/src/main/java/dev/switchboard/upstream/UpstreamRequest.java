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
 * @param streamed  a body sent as it is read (a client's upload, never held whole), or null; only without {@code body}
 */
public record UpstreamRequest(String method, String path, String query, byte[] body, Map<String, String> headers,
                              String requestId, StreamedBody streamed) {

    public UpstreamRequest(String method, String path, String query, byte[] body, Map<String, String> headers,
                           String requestId) {
        this(method, path, query, body, headers, requestId, null);
    }

    /** This request with {@code streamed} as its body, sent as it is read. */
    public UpstreamRequest streaming(StreamedBody streamed) {
        return new UpstreamRequest(method, path, query, null, headers, requestId, streamed);
    }

    /** A request of the gateway's own making: {@code body} POSTed as JSON to {@code path}, no client headers. */
    public static UpstreamRequest postJson(String path, com.fasterxml.jackson.databind.JsonNode body, String requestId) {
        return new UpstreamRequest("POST", path, null, dev.switchboard.web.Json.write(body)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of(), requestId);
    }

    /**
     * A request of the gateway's own making: text {@code parts} POSTed as {@code multipart/form-data}, each part's
     * name mapped to its content type and content, in order.
     */
    public static UpstreamRequest postForm(String path, Map<String, Map.Entry<String, String>> parts, String requestId) {
        String boundary = "switchboard-" + java.util.UUID.randomUUID();
        StringBuilder body = new StringBuilder();
        parts.forEach((name, part) -> body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n")
                .append("Content-Type: ").append(part.getKey()).append("\r\n\r\n")
                .append(part.getValue()).append("\r\n"));
        body.append("--").append(boundary).append("--\r\n");
        return new UpstreamRequest("POST", path, null, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Content-Type", "multipart/form-data; boundary=" + boundary), requestId);
    }
}
