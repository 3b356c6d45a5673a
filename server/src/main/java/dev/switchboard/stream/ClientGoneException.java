package dev.switchboard.stream;

import java.io.IOException;

/** Writing to the client failed: it disconnected. The relay cancels the upstream request when it sees this. */
public final class ClientGoneException extends IOException {
    public ClientGoneException(IOException cause) {
        super("client disconnected", cause);
    }
}
