package dev.switchboard.emulator.realtime;

/** Where a Realtime session's server events go: a WebSocket now, a WebRTC data channel later. */
interface RealtimeTransport {
    /** Sends one event; {@code afterWritten} runs once it has been written out (not when it fails). */
    void send(String event, Runnable afterWritten);

    /** Breaks the connection without a close frame, as a network failure would. */
    void drop();
}
