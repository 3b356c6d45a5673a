package dev.switchboard.web;

import java.util.function.Function;

/**
 * Told when each HTTP request (or WebSocket upgrade) starts and when it is answered (or its session ends), by the
 * listener itself, so that every request is seen, refused ones included, whatever route answers it.
 */
public interface RequestObserver {
    RequestObserver NONE = (requestId, method, path, headers) -> Observed.NONE;

    /**
     * @param headers the request's headers by name, for context the client propagates ({@code traceparent})
     * @return what to tell when the request ends
     */
    Observed started(String requestId, String method, String path, Function<String, String> headers);

    /** One request being watched. */
    interface Observed {
        Observed NONE = (route, status, keyId) -> {};

        /**
         * @param route  the matched route ({@code /v1/threads/{thread_id}/runs}), or null when none matched
         * @param status the answer's status; 101 for a WebSocket session that ran and ended
         * @param keyId  the gateway key's id, when the request was authenticated
         */
        void ended(String route, int status, String keyId);
    }
}
