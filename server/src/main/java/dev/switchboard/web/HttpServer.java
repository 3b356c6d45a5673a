package dev.switchboard.web;

import dev.switchboard.config.ServerSettings;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.servlet.JavalinWsServletContext;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP listener: Javalin on Jetty with virtual threads, HTTP/1.1 and HTTP/2 on one port ({@link Http2}),
 * no compression (event streams must never be buffered by a compressor), a deep accept queue for connection bursts,
 * and every refusal mapped to an OpenAI-shaped error. Routes come from the capabilities; this class holds no endpoint logic.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final int ACCEPT_QUEUE = 4096;

    private final Javalin app;
    private final Draining draining;

    /**
     * Every route registered, as {@code "METHOD /path"} ({@code GET} for a WebSocket upgrade): what the OpenAPI
     * document is checked against.
     */
    public List<String> routes() {
        List<String> routes = new ArrayList<>();
        for (var parsed : app.unsafe.internalRouter.allHttpHandlers()) {
            String method = parsed.endpoint.method.name();
            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) routes.add(method + " " + parsed.endpoint.path);
        }
        for (var ws : app.unsafe.internalRouter.allWsHandlers()) {
            if (ws.getType().name().equals("WEBSOCKET")) routes.add("GET " + ws.getPath());
        }
        return routes;
    }

    private HttpServer(Javalin app, Draining draining) {
        this.app = app;
        this.draining = draining;
    }

    /** Starts listening; {@code routes} register every route, in the order given. */
    public static HttpServer start(ServerSettings settings, List<Consumer<RoutesConfig>> routes) {
        return start(settings, routes, List.of());
    }

    /**
     * Starts listening, with servlets of other libraries (the MCP server) mounted beside the routes; their own paths
     * take precedence over Javalin's catch-all.
     */
    public static HttpServer start(ServerSettings settings, List<Consumer<RoutesConfig>> routes,
                                   List<Consumer<org.eclipse.jetty.ee10.servlet.ServletContextHandler>> servlets) {
        return start(settings, routes, servlets, RequestObserver.NONE);
    }

    /** Starts listening, telling {@code observer} about every request (tracing). */
    public static HttpServer start(ServerSettings settings, List<Consumer<RoutesConfig>> routes,
                                   List<Consumer<org.eclipse.jetty.ee10.servlet.ServletContextHandler>> servlets,
                                   RequestObserver observer) {
        refuseTakenPort(settings);
        Draining draining = new Draining();
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.prefer405over404 = true;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.maxRequestSize = settings.maxBodyBytes();
            cfg.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            // Jetty's default (64 KiB) is far below what OpenAI takes in one Realtime event (a screenshot as a data
            // URL, up to 15 MiB of audio). A larger message is refused by Jetty with close code 1009.
            cfg.jetty.modifyWebSocketServletFactory(factory -> factory.setMaxTextMessageSize(settings.maxWebSocketMessageBytes()));
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector connector = settings.tls()
                        .map(tls -> Http2.secureConnector(server, tlsContext(tls), secure(http)))
                        .orElseGet(() -> Http2.cleartextConnector(server, http));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                connector.setAcceptQueueSize(ACCEPT_QUEUE);
                return connector;
            });
            cfg.requestLogger.http((ctx, millis) -> {
                AccessLog.request(ctx, millis);
                AccessLog.ended(ctx, ctx.statusCode());
            });
            cfg.requestLogger.ws(AccessLog::sessions);
            // The gateway keeps no HTTP sessions, but Javalin opens one at every WebSocket upgrade, accepted or
            // refused (to copy its attributes), and Jetty keeps a cached session an upgraded request used for good: a
            // Realtime relay would hold one per connection. Uncached, none pile up; without cookies, none is announced
            // to the client (a JSESSIONID the gateway would never read).
            cfg.jetty.modifyServletContextHandler(handler -> {
                if (handler.getSessionHandler() != null) {
                    NullSessionCache uncached = new NullSessionCache(handler.getSessionHandler());
                    uncached.setSessionDataStore(new NullSessionDataStore());
                    handler.getSessionHandler().setSessionCache(uncached);
                    handler.getSessionHandler().setUsingCookies(false);
                }
            });
            // Before the servlets' own filters (MCP's key check and error rewriting), so that a stopping instance
            // refuses /mcp as it refuses every route: filters run in the order they are added.
            cfg.jetty.modifyServletContextHandler(handler -> handler.addFilter(new FilterHolder(draining), "/*",
                    EnumSet.of(DispatcherType.REQUEST)));
            servlets.forEach(mount -> cfg.jetty.modifyServletContextHandler(mount::accept));
            cfg.routes.before(ctx -> {
                RequestIds.assign(ctx);
                AccessLog.observe(ctx, observer);
                MethodOverride.refuse(ctx);
                HeadRequests.refuse(ctx);
            });
            // Upgrades pass no before-handler: their request id and start time are given here.
            cfg.routes.wsBeforeUpgrade(ctx -> {
                RequestIds.assign(ctx);
                AccessLog.upgrading(ctx);
                AccessLog.observe(ctx, observer);
            });
            cfg.routes.before(new Cors(settings.cors())::apply);
            routes.forEach(r -> r.accept(cfg.routes));
            cfg.routes.after(HttpServer::finishReadingBody);
            cfg.routes.exception(GatewayException.class, HttpServer::refuse);
            cfg.routes.exception(HttpResponseException.class, HttpServer::javalinRefusal);
            cfg.routes.exception(Exception.class, HttpServer::internalError);
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            // Jetty may have started threads before the bind failed; left running, they would keep the JVM alive.
            app.stop();
            throw e;
        }
        return new HttpServer(app, draining);
    }

    /**
     * Fails with a {@link BindException} when the port is taken, before Jetty would: Javalin logs that failure as an
     * error of its own, and the caller says which port it is and how to choose another.
     */
    private static void refuseTakenPort(ServerSettings settings) {
        if (settings.port() == 0) return;
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(settings.host(), settings.port()));
        } catch (BindException taken) {
            throw new UncheckedIOException(taken);
        } catch (IOException other) {
            // an unknown host or the like: Jetty reports it as it starts
        }
    }

    private static SslContextFactory.Server tlsContext(ServerSettings.Tls tls) {
        var context = new SslContextFactory.Server();
        context.setKeyStorePath(tls.keystore().toAbsolutePath().toString());
        context.setKeyStoreType("PKCS12");
        context.setKeyStorePassword(tls.password().reveal());
        return context;
    }

    /** HTTPS requests: secure URLs and no SNI host check, so clients may connect by IP address. */
    private static HttpConfiguration secure(HttpConfiguration http) {
        var https = new HttpConfiguration(http);
        https.addCustomizer(new SecureRequestCustomizer(false));
        return https;
    }

    public int port() {
        return app.port();
    }

    /** From now on, new requests are refused with 503 {@code gateway_shutting_down}; those under way go on. */
    public void drain() {
        draining.start();
    }

    /** Requests being handled now, streams included. */
    public int activeRequests() {
        return draining.active();
    }

    @Override
    public void close() {
        app.stop();
    }

    /**
     * Bodies up to this size that a route left unread are read to their end after it answers. A client still sending
     * (a form refused mid-way, an upload refused for its key's limits) only reads the answer once it has sent all, so
     * a remainder closed on gets a reset, not the answer; the bound keeps a refused huge upload from being read whole.
     */
    private static final long UNREAD_BODY_LIMIT = 16L * 1024 * 1024;

    /**
     * Reads what a route left of the request body (one that answered without reading it, or refused it first). Left
     * on the connection, Jetty closes it after the answer without saying so, and a client that sends its next
     * request on it gets no answer at all. A larger remainder is not read: the answer says the connection closes.
     */
    private static void finishReadingBody(Context ctx) {
        // An event stream's request has long been read (its model was checked); any other asynchronous answer (a
        // forwarded one) has been written by now, and a refused upload's rest is still to be read.
        if (ctx.req().getContentLengthLong() == 0 || String.valueOf(ctx.res().getContentType()).startsWith("text/event-stream")) return;
        boolean toTheEnd;
        try {
            InputStream in = ctx.req().getInputStream();
            long read = 0;
            for (long n; read <= UNREAD_BODY_LIMIT && (n = in.skip(UNREAD_BODY_LIMIT)) > 0; ) read += n;
            toTheEnd = read <= UNREAD_BODY_LIMIT && in.read() < 0;
        } catch (IOException | IllegalStateException e) {
            toTheEnd = false;
        }
        if (!toTheEnd && !ctx.res().isCommitted()) ctx.header("Connection", "close");
    }

    static void refuse(GatewayException e, Context ctx) {
        if (e.retryAfterSeconds() != null) ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        String body = Json.write(Json.error(e.getMessage(), e.type(), e.param(), e.code()));
        ctx.status(e.status()).contentType("application/json");
        if (ctx instanceof JavalinWsServletContext) writeNow(ctx, body);
        else ctx.result(body);
        AccessLog.refusedUpgrade(ctx);
    }

    /**
     * The body of a refused WebSocket upgrade, written at once: Javalin runs the exception handlers of an upgrade's
     * before-handlers but never writes the result they set, so the refusal would reach the client with an empty body.
     * Every WebSocket route's refusals pass here.
     */
    private static void writeNow(Context ctx, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            ctx.res().setContentLength(bytes.length);
            ctx.res().getOutputStream().write(bytes);
            ctx.res().flushBuffer();
        } catch (IOException gone) {
            LOG.debug("{} the client left before its upgrade's refusal was written", RequestIds.of(ctx));
        }
    }

    private static void javalinRefusal(HttpResponseException e, Context ctx) {
        String method = ctx.method().name();
        GatewayException mapped = switch (e.getStatus()) {
            case 404 -> GatewayException.unknownRoute(method, ctx.path());
            case 405 -> GatewayException.methodNotAllowed(method, ctx.path());
            case 413 -> new GatewayException(413, "invalid_request_error", "request_too_large", null,
                    "The request body is larger than this gateway accepts (SWITCHBOARD_MAX_BODY_BYTES).");
            default -> new GatewayException(e.getStatus(), "invalid_request_error", null, null, e.getMessage());
        };
        refuse(mapped, ctx);
    }

    private static void internalError(Exception e, Context ctx) {
        String requestId = RequestIds.of(ctx);
        if (DatabaseUnavailable.isCause(e)) {
            LOG.warn("{} {} {} refused: database unreachable ({})", requestId, ctx.method(), ctx.path(),
                    DatabaseUnavailable.reason(e));
            if (!ctx.res().isCommitted()) refuse(DatabaseUnavailable.refusal(), ctx);
            return;
        }
        LOG.error("{} {} {} failed", requestId, ctx.method(), ctx.path(), e);
        if (ctx.res().isCommitted()) return;
        refuse(new GatewayException(500, "server_error", "internal_error", null,
                "The gateway failed to handle this request (request id " + requestId + "). "
                        + "The gateway log has the details under that id."), ctx);
    }
}
