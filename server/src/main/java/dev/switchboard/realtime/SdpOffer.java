package dev.switchboard.realtime;

import dev.switchboard.web.GatewayException;
import io.javalin.http.Context;
import java.util.Locale;

/** A client's WebRTC offer, as the body of a request: checked to be SDP before anything goes upstream. */
final class SdpOffer {
    /**
     * The largest offer accepted. A browser's offer is a few KB (one audio section, a data channel, a dozen
     * candidates); a multi-megabyte one is no offer a peer can use, and parsing one keeps a WebRTC peer busy for
     * minutes, so it is refused before any call is made.
     */
    static final int MAX_BYTES = 64 * 1024;

    private SdpOffer() {}

    /** Whether the request carries its offer as the body ({@code application/sdp} or {@code text/plain}). */
    static boolean isSdpRequest(Context ctx) {
        String contentType = String.valueOf(ctx.contentType()).toLowerCase(Locale.ROOT);
        return contentType.startsWith("application/sdp") || contentType.startsWith("text/plain");
    }

    /** The offer in the body (size-limited); a 400 saying what an offer looks like when it is not one. */
    static String read(Context ctx, dev.switchboard.web.RequestBodies bodies) {
        // Refused on its declared length, before a too-large body is read at all.
        if (ctx.contentLength() > MAX_BYTES) throw tooLarge(ctx.contentLength() + " bytes", null);
        return check(new String(bodies.bytes(ctx), java.nio.charset.StandardCharsets.UTF_8), null);
    }

    /** {@code sdp} when it is an SDP offer of a sane size; a 400 naming {@code param} otherwise. */
    static String check(String sdp, String param) {
        if (sdp != null && sdp.length() > MAX_BYTES) throw tooLarge(sdp.length() + " characters", param);
        String trimmed = sdp == null ? "" : sdp.strip();
        if (!trimmed.startsWith("v=0") || !(trimmed.contains("\nm=") || trimmed.contains("\rm="))) {
            throw new GatewayException(400, "invalid_request_error", "invalid_sdp", param,
                    "The offer is not SDP: send the 'sdp' of your RTCPeerConnection's createOffer() (it starts with "
                            + "'v=0' and has at least one 'm=' line).");
        }
        return sdp;
    }

    private static GatewayException tooLarge(String size, String param) {
        return new GatewayException(400, "invalid_request_error", "invalid_sdp", param,
                "The offer is " + size + " long; offers are a few KB and at most " + MAX_BYTES + " bytes are accepted. "
                        + "Send the 'sdp' of your RTCPeerConnection's createOffer() unchanged.");
    }
}
