package dev.switchboard.stream;

/** How a relayed stream ended. */
public enum RelayOutcome {
    /** Upstream sent its terminal event and the client received it. */
    COMPLETED,
    /** Upstream closed or broke the connection before its terminal event; the client got an error event. */
    UPSTREAM_FAILED,
    /** Upstream fell silent past the idle timeout; the client got an error event. */
    UPSTREAM_TIMEOUT,
    /** The client disconnected from a stream that is not resumable; the upstream request was cancelled. */
    CLIENT_GONE,
    /** An administrator cancelled the stream; the client got an error event. */
    CANCELLED,
    /** The instance is shutting down and ended the stream; the client got an error event. */
    SHUTDOWN,
    /**
     * The instance is shutting down and left the stream, still running upstream, unfinished in the shared log for
     * another instance to continue; the client got an error event saying how to resume it.
     */
    HANDED_OVER
}
