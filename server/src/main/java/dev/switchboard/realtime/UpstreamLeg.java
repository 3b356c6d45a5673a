package dev.switchboard.realtime;

import dev.switchboard.upstream.UpstreamCalls;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens the gateway's own WebSockets to the upstream Realtime API, with the OpenAI key: a relayed session's leg
 * (before the client's upgrade is accepted, so that a refusal upstream becomes an HTTP error for the client instead
 * of a socket that opens and dies), a WebRTC call's sideband, a chat call's session.
 */
public final class UpstreamLeg {
    /** Why the upstream did not open: the HTTP status it answered (0 when it could not be reached). */
    public static final class Refused extends Exception {
        public final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final HttpClient client;
    private final URI realtimeUri;
    private final String apiKey;
    private final Duration connectTimeout;
    private final long maxMessageBytes;
    private final UpstreamCalls calls;

    /**
     * {@code maxMessageBytes}: the longest message taken from OpenAI; a longer one ends the socket (see {@link WholeMessages}).
     * {@code calls} is told of each leg opened, as of every upstream call ({@code UpstreamClient::calling}).
     */
    public UpstreamLeg(HttpClient client, URI apiBase, String apiKey, Duration connectTimeout, long maxMessageBytes,
                       UpstreamCalls calls) {
        this.client = client;
        this.calls = calls;
        String base = apiBase.toString().replaceFirst("^http", "ws");
        this.realtimeUri = URI.create(base.endsWith("/") ? base + "realtime" : base + "/realtime");
        this.apiKey = apiKey;
        this.connectTimeout = connectTimeout;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Connects for {@code model}; the listener gets no message until it asks with {@code request}, and gets each
     * message whole, up to the gateway's limit.
     */
    public WebSocket open(String requestId, String model, WebSocket.Listener listener) throws Refused {
        return connect(requestId, "model=" + URLEncoder.encode(model, StandardCharsets.UTF_8), listener);
    }

    /** Connects the sideband of a WebRTC call: the same session's events, and control of it, beside the client's. */
    WebSocket openSideband(String requestId, String callId, WebSocket.Listener listener) throws Refused {
        return connect(requestId, "call_id=" + URLEncoder.encode(callId, StandardCharsets.UTF_8), listener);
    }

    /** The call seen by {@code calls} is the opening handshake; the session's length is its exchange's. */
    private WebSocket connect(String requestId, String query, WebSocket.Listener listener) throws Refused {
        UpstreamCalls.Call call = calls.calling(requestId, "GET", "/realtime");
        try {
            WebSocket socket = connect(query, listener);
            call.answered(101, null);
            return socket;
        } catch (Refused refused) {
            if (refused.status > 0) call.answered(refused.status, null);
            else call.failed("upstream_unavailable");
            throw refused;
        } finally {
            call.end();
        }
    }

    private WebSocket connect(String query, WebSocket.Listener listener) throws Refused {
        URI uri = URI.create(realtimeUri + "?" + query);
        try {
            return client.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + apiKey)
                    .connectTimeout(connectTimeout)
                    .buildAsync(uri, new WholeMessages(listener, maxMessageBytes))
                    .get(connectTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                int status = refused.getResponse().statusCode();
                throw new Refused(status, status == 401
                        ? "OpenAI refused this gateway's own OpenAI API key (HTTP 401); the gateway's operator must set a "
                                + "valid OPENAI_API_KEY and restart the gateway."
                        : "OpenAI refused the Realtime connection with HTTP " + status + ".");
            }
            throw new Refused(0, "OpenAI's Realtime API could not be reached: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new Refused(0, "OpenAI's Realtime API did not answer within " + connectTimeout.toSeconds() * 2 + " s.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(0, "Interrupted while connecting to OpenAI's Realtime API.");
        }
    }

    /** A listener whose {@code onOpen} asks for nothing: the bridge asks once the client is attached. */
    public interface Quiet extends WebSocket.Listener {
        @Override
        default void onOpen(WebSocket webSocket) {
        }
    }
}
