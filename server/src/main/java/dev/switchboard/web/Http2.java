package dev.switchboard.web;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.WindowRateControl;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The listener's protocols: HTTP/1.1 and HTTP/2 on one port. HTTP/1.1 gives a browser six connections per origin and
 * each event stream holds one, so a page following a seventh stream waits (issue 18); over HTTP/2 every stream of a
 * page shares one connection. With TLS the protocol is chosen by ALPN (h2 first, {@code http/1.1} for clients without
 * it); in cleartext a request is HTTP/1.1 unless it starts with the HTTP/2 preface (h2c with prior knowledge) or asks
 * for {@code Upgrade: h2c}.
 */
final class Http2 {
    /**
     * Streams one client may have open on one connection at once. Jetty's default is 128; a page following many
     * streams and their history requests fits well within 256. What bounds the work is the key's own
     * {@code concurrent_streams} limit, which counts streams over every connection alike.
     */
    static final int MAX_CONCURRENT_STREAMS = 256;

    /**
     * Suspicious frames (a reset stream, an empty DATA frame, a SETTINGS or PING flood) a connection may send per
     * second before Jetty closes it: the guard against the "rapid reset" attack (CVE-2023-44487), where a client opens
     * and resets streams faster than the server can stop the work it started for them. Jetty's own default, set here
     * so that it is visible and stays put across upgrades; a browser closing a tab with all its streams sends one
     * reset per stream, far below it.
     */
    private static final int SUSPICIOUS_FRAMES_PER_SECOND = 128;

    private Http2() {}

    /** TLS, then ALPN choosing h2 or HTTP/1.1. */
    static ServerConnector secureConnector(Server server, SslContextFactory.Server tls, HttpConfiguration https) {
        var h2 = configured(new HTTP2ServerConnectionFactory(https));
        var http11 = new HttpConnectionFactory(https);
        // ALPN names, matched byte for byte: the HTTP/1.1 factory's own protocol name is "HTTP/1.1", which no client
        // offers, and a browser's WebSocket connection, which offers only "http/1.1", would be closed.
        var alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        return new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
    }

    /** HTTP/1.1 first (it recognises the HTTP/2 preface and {@code Upgrade: h2c}), then h2c. */
    static ServerConnector cleartextConnector(Server server, HttpConfiguration http) {
        return new ServerConnector(server, new HttpConnectionFactory(http), configured(new HTTP2CServerConnectionFactory(http)));
    }

    private static <F extends AbstractHTTP2ServerConnectionFactory> F configured(F h2) {
        h2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
        h2.setRateControlFactory(new WindowRateControl.Factory(SUSPICIOUS_FRAMES_PER_SECOND));
        // No WebSocket over HTTP/2 (RFC 8441): a browser uses it only when the server announces it, and Javalin's
        // upgrade path (its before-upgrade handlers, refusal bodies, access log) is the HTTP/1.1 one. Unannounced,
        // browsers open the Realtime and console WebSockets over HTTP/1.1 as before, on the same port.
        h2.setConnectProtocolEnabled(false);
        return h2;
    }
}
