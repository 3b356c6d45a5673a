package dev.switchboard.realtime;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * What every upstream Realtime socket's listener is wrapped in: the JDK client hands a large text message over in
 * parts, with no limit; here they are joined, and the listener gets each message whole ({@code last} always true),
 * up to {@code maxBytes} (UTF-8). A longer message is refused, not dropped: the socket is aborted and the listener's
 * {@code onError} gets a {@link TooLarge} that says so. Nothing reaches the listener after that.
 */
final class WholeMessages implements WebSocket.Listener {
    /** An upstream message longer than the gateway carries. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long maxBytes) {
            super("OpenAI sent an event over this gateway's limit of " + maxBytes
                    + " bytes (SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES)");
        }
    }

    private final WebSocket.Listener listener;
    private final long maxBytes;
    private final StringBuilder partial = new StringBuilder();
    private long partialBytes;
    private volatile boolean refused;

    WholeMessages(WebSocket.Listener listener, long maxBytes) {
        this.listener = listener;
        this.maxBytes = maxBytes;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        listener.onOpen(webSocket);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (refused) return null;
        partialBytes += utf8Length(data);
        if (partialBytes > maxBytes) {
            refused = true;
            partial.setLength(0);
            webSocket.abort();
            listener.onError(webSocket, new TooLarge(maxBytes));
            return null;
        }
        if (!last) {
            partial.append(data);
            webSocket.request(1);
            return null;
        }
        CharSequence whole = data;
        if (!partial.isEmpty()) {
            whole = partial.append(data).toString();
            partial.setLength(0);
        }
        partialBytes = 0;
        return listener.onText(webSocket, whole, true);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        return refused ? null : listener.onBinary(webSocket, data, last);
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        return refused ? null : listener.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        return refused ? null : listener.onPong(webSocket, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        return refused ? null : listener.onClose(webSocket, statusCode, reason);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!refused) listener.onError(webSocket, error);
    }

    /** The UTF-8 length of {@code text}, without encoding it. */
    static long utf8Length(CharSequence text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) bytes++;
            else if (c < 0x800) bytes += 2;
            // A surrogate pair is 4 bytes, counted at its first half: a message's parts may split a pair.
            else if (Character.isHighSurrogate(c)) bytes += 4;
            else if (!Character.isLowSurrogate(c)) bytes += 3;
        }
        return bytes;
    }
}
