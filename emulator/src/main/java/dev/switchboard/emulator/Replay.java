package dev.switchboard.emulator;

import java.io.IOException;
import java.util.Arrays;

/** Streams a recorded {@code .sse} file one event at a time, each event's bytes exactly as recorded. */
public final class Replay {
    private Replay() {}

    public static void frames(byte[] recording, EventStream events) throws IOException {
        int start = 0;
        for (int i = 0; i < recording.length; i++) {
            int end = frameEnd(recording, i);
            if (end > 0) {
                events.pause();
                events.sendRaw(Arrays.copyOfRange(recording, start, end));
                start = end;
                i = end - 1;
            }
        }
        if (start < recording.length) events.sendRaw(Arrays.copyOfRange(recording, start, recording.length));
    }

    /** The index just past a blank line (LF LF, or CRLF CRLF) starting at i, or -1. */
    private static int frameEnd(byte[] b, int i) {
        if (b[i] == '\n' && i + 1 < b.length && b[i + 1] == '\n') return i + 2;
        if (b[i] == '\r' && i + 3 < b.length && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i + 4;
        return -1;
    }
}
