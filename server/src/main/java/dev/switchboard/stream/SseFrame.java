package dev.switchboard.stream;

/**
 * One Server-Sent Event as read from upstream: its bytes exactly as received (every line and the blank line that
 * ends it), and the fields a feature may need. The relay forwards {@link #raw()}; nothing is re-encoded.
 *
 * @param raw   the event's bytes, including its terminating blank line
 * @param event the {@code event:} field, or null
 * @param data  the {@code data:} lines joined with LF, or null when there were none (a comment-only frame)
 * @param id    the {@code id:} field, or null
 */
public record SseFrame(byte[] raw, String event, String data, String id) {
    public boolean hasData() {
        return data != null;
    }
}
