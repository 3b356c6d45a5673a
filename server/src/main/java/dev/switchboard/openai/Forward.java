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
 */
record Forward(String method, String upstreamPath, byte[] body, String model, StreamDialect dialect, boolean resumable,
               boolean dropUsageOnly) {

    static Forward plain(String method, String upstreamPath, byte[] body) {
        return new Forward(method, upstreamPath, body, null, null, false, false);
    }
}
