package dev.switchboard.stream;

import java.nio.charset.StandardCharsets;

/**
 * One Server-Sent Event as read from upstream: its bytes exactly as received (every line and the blank line that
 * ends it). The relay forwards {@link #raw()} and never re-encodes it. The fields ({@code event}, {@code data},
 * {@code id}) are parsed from the bytes only when asked for, so events that no feature looks at cost nothing more.
 */
public final class SseFrame {
    private final byte[] raw;
    private final boolean hasData;
    private String event;
    private String data;
    private String id;
    private boolean parsed;
    private boolean eventRead;

    SseFrame(byte[] raw, boolean hasData) {
        this.raw = raw;
        this.hasData = hasData;
    }

    /** The event's bytes, including its terminating blank line. Not to be modified. */
    public byte[] raw() {
        return raw;
    }

    /** True when the event has at least one {@code data:} line (else it is comments or stray line ends). */
    public boolean hasData() {
        return hasData;
    }

    /**
     * The {@code event:} field, or null. Read on its own when nothing else has been asked for: dialects look at
     * every event's name, and decoding the data of each delta for that would double the relay's work.
     */
    public String event() {
        if (!parsed && !eventRead) {
            scan(true);
            eventRead = true;
        }
        return event;
    }

    /** The {@code data:} lines joined with LF, or null when there were none. */
    public String data() {
        parse();
        return data;
    }

    /** The {@code id:} field, or null. */
    public String id() {
        parse();
        return id;
    }

    /** True when the raw bytes contain {@code ascii}: a cheap test before parsing anything. */
    public boolean rawContains(byte[] ascii) {
        outer:
        for (int i = 0, last = raw.length - ascii.length; i <= last; i++) {
            for (int j = 0; j < ascii.length; j++) if (raw[i + j] != ascii[j]) continue outer;
            return true;
        }
        return false;
    }

    private void parse() {
        if (parsed) return;
        parsed = true;
        scan(false);
    }

    /**
     * Splits the bytes into lines (CRLF, LF or CR) and reads the fields, as the SSE specification says; with
     * {@code eventOnly}, decodes only {@code event:} lines.
     */
    private void scan(boolean eventOnly) {
        StringBuilder dataLines = null;
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            boolean end = i == raw.length || raw[i] == '\n' || raw[i] == '\r';
            if (!end) continue;
            if (i > start && raw[start] != ':' && (!eventOnly || raw[start] == 'e')) {
                String line = new String(raw, start, i - start, StandardCharsets.UTF_8);
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) value = value.substring(1);
                switch (field) {
                    case "event" -> event = value;
                    case "data" -> {
                        if (dataLines == null) dataLines = new StringBuilder(value.length());
                        else dataLines.append('\n');
                        dataLines.append(value);
                    }
                    case "id" -> id = value;
                    default -> { /* retry and unknown fields travel in the raw bytes, uninterpreted */ }
                }
            }
            if (i < raw.length && raw[i] == '\r' && i + 1 < raw.length && raw[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (!eventOnly) data = dataLines == null ? null : dataLines.toString();
    }
}
