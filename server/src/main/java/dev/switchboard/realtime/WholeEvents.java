package dev.switchboard.realtime;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A listener for a Realtime socket the gateway reads itself (a call's sideband, a chat's session), opened by
 * {@link UpstreamLeg}: whole events, each handed to {@link #onEvent}, the next asked for at once; binary frames skipped (the
 * Realtime API sends none). Nothing is asked for until the owner calls {@code request(1)}.
 */
public abstract class WholeEvents implements UpstreamLeg.Quiet {
    /** One whole event, on the socket's thread: keep it short. */
    protected abstract void onEvent(String text);

    /** Each message arrives whole: {@link UpstreamLeg} joins its parts, up to the gateway's limit. */
    @Override
    public final CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        onEvent(data.toString());
        webSocket.request(1);
        return null;
    }

    @Override
    public final CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }
}
