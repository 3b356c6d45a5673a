package dev.switchboard.upstream;

/**
 * Told about every call to the upstream, each attempt of a retried request its own call, WebSocket legs included
 * (tracing). Callbacks run on the caller's thread: they must be fast and never throw.
 */
public interface UpstreamCalls {
    UpstreamCalls NONE = (requestId, method, path) -> Call.NONE;

    /**
     * A call starts.
     *
     * @param requestId the gateway's id of the request it serves (or of the gateway's own work, such as an agent round)
     * @param path      the path below the API base, without the query
     */
    Call calling(String requestId, String method, String path);

    /** One call: {@link #end} is called once it is over, however it went. */
    interface Call {
        Call NONE = new Call() {};

        /** The upstream answered with {@code status}; {@code upstreamRequestId} is its {@code x-request-id}. */
        default void answered(int status, String upstreamRequestId) {}

        /** No answer came, or the answer broke off: {@code errorType} names why (an error code, never a message). */
        default void failed(String errorType) {}

        /** The call is over: its body was read or closed. Only the first call counts. */
        default void end() {}
    }
}
