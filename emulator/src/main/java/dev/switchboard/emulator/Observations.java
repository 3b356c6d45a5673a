package dev.switchboard.emulator;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What the emulator noticed about its clients, for tests to assert on (for example, that a caller hung up). */
public final class Observations {
    private final Set<String> clientCancelled = ConcurrentHashMap.newKeySet();

    public void clientCancelled(String responseId) {
        clientCancelled.add(responseId);
    }

    /**
     * Ids of streamed chat completions and foreground responses whose client disconnected before the end. The
     * emulator notices on its next write, so a slow script notices late.
     */
    public Set<String> clientCancelledResponses() {
        return Set.copyOf(clientCancelled);
    }
}
