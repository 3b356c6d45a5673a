package dev.switchboard.openai;

import dev.switchboard.stream.StreamDialect;

/**
 * One request to forward.
 *
 * @param method        HTTP method
 * @param upstreamPath  path below the upstream base URL
 * @param body          bytes to send, or null
 * @param model         the requested model, for accounting; null when the route has none
 * @param dialect       the stream's dialect when a stream was asked for, else null
 * @param resumable     the stream keeps running for later readers when its client leaves
 * @param dropUsageOnly the gateway asked upstream for usage the client did not ask for: drop that event
 * @param query         the upstream query string; null for the client's own
 * @param firstSeq      the sequence number of the stream's first event (after {@code starting_after=N}, N + 1)
 * @param api           for a path the gateway has no route of its own for, what the whole-API forwarding needs; else null
 */
record Forward(String method, String upstreamPath, byte[] body, String model, StreamDialect dialect, boolean resumable,
               boolean dropUsageOnly, String query, long firstSeq, ApiCall api) {

    Forward(String method, String upstreamPath, byte[] body, String model, StreamDialect dialect, boolean resumable,
            boolean dropUsageOnly) {
        this(method, upstreamPath, body, model, dialect, resumable, dropUsageOnly, null, 0, null);
    }

    static Forward plain(String method, String upstreamPath, byte[] body) {
        return new Forward(method, upstreamPath, body, null, null, false, false);
    }

    /** A forward of any path under /v1: answers of every kind, any stream, a body streamed or held. */
    static Forward api(String method, String upstreamPath, String query, byte[] body, String model, ApiCall api) {
        return new Forward(method, upstreamPath, body, model, null, false, false, query, 0, api);
    }

    /** This forward, sent with {@code query}, whose stream continues upstream's after event {@code firstSeq - 1}. */
    Forward continuing(String query, long firstSeq) {
        return new Forward(method, upstreamPath, body, model, dialect, resumable, dropUsageOnly, query, firstSeq, api);
    }

    /** The client's path, with /v1: what ownership and the endpoint's name are judged on. */
    String clientPath() {
        return api != null ? api.path() : "/v1" + upstreamPath;
    }
}
