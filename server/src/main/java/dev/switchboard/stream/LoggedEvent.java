package dev.switchboard.stream;

/** One event of a stream's log: its sequence number (0, 1, 2, …) and its bytes as upstream sent them. */
public record LoggedEvent(long seq, byte[] frame) {
    /** Returned by a cursor once the stream has finished and every event has been read. */
    public static final LoggedEvent END = new LoggedEvent(-1, new byte[0]);
}
