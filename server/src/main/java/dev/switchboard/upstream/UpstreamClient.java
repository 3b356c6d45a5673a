package dev.switchboard.upstream;

import dev.switchboard.config.Secret;
import dev.switchboard.config.UpstreamSettings;
import dev.switchboard.config.Version;
import dev.switchboard.web.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to the OpenAI API (or any compatible upstream) with the server's key. HTTP/1.1 only: over HTTP/2 the JDK
 * client fails requests past the server's concurrent-stream limit (JDK-8225647), and one connection per stream is
 * what a streaming relay wants anyway.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);
    private static final String USER_AGENT = "Switchboard/" + Version.VALUE;
    private static final Duration KEY_WARNING_INTERVAL = Duration.ofMinutes(1);

    static {
        // The JDK client keeps a read buffer per connection (16 KiB by default, off-heap). Events are small and a
        // gateway holds thousands of connections: 4 KiB each saves ~120 MiB at 10,000 streams. Read once, when the
        // client classes load, so it is set here, before the first client is built; an explicit -D wins.
        if (System.getProperty("jdk.httpclient.bufsize") == null) System.setProperty("jdk.httpclient.bufsize", "4096");
    }

    private final HttpClient http;
    private final URI baseUrl;
    private final Secret apiKey;
    private final UpstreamSettings settings;
    private final IdleWatchdog watchdog = new IdleWatchdog();
    private final Set<UpstreamResponse> ownCalls = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    /** When the refused key was last logged ({@link System#nanoTime}; 0 for never). */
    private final AtomicLong lastKeyWarning = new AtomicLong();
    private final UpstreamCalls calls;

    /**
     * @param baseUrl the API base, ending in {@code /v1} (or whatever the upstream uses)
     * @param apiKey  the key sent upstream as {@code Authorization: Bearer}
     */
    public UpstreamClient(UpstreamSettings settings, URI baseUrl, Secret apiKey) {
        this(settings, baseUrl, apiKey, UpstreamCalls.NONE);
    }

    /** @param calls told about every call (tracing) */
    public UpstreamClient(UpstreamSettings settings, URI baseUrl, Secret apiKey, UpstreamCalls calls) {
        this.calls = calls;
        this.settings = settings;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Further attempts of a relayed request refused for the moment, before anything reached the client. */
    public int retries() {
        return settings.retries();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The key, for redacting it from anything the upstream echoes back. */
    public Secret apiKey() {
        return apiKey;
    }

    /**
     * Sends the request and waits for the response headers. The body is left to the caller, watched for silence.
     *
     * @throws GatewayException 502 when the upstream cannot be reached or refuses the gateway's key, 504 when it does
     *                          not answer in time
     */
    public UpstreamResponse send(UpstreamRequest request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(resolve(request))
                .timeout(settings.responseTimeout())
                .header("User-Agent", USER_AGENT)
                .header("X-Client-Request-Id", request.requestId());
        authorize(builder);
        request.headers().forEach(builder::header);
        if (request.body() != null) {
            if (!request.headers().containsKey("Content-Type")) builder.header("Content-Type", "application/json");
            builder.method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
        } else if (request.streamed() != null) {
            StreamedBody streamed = request.streamed();
            if (streamed.contentType() != null) builder.header("Content-Type", streamed.contentType());
            builder.method(request.method(), streamed.publisher());
        } else {
            builder.method(request.method(), HttpRequest.BodyPublishers.noBody());
        }
        UpstreamCalls.Call call = calls.calling(request.requestId(), request.method(), request.path());
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.build(), info -> new StreamingBody());
        } catch (IOException | InterruptedException e) {
            // A streamed body that stopped on the gateway's side (refused, too large, the client gone) aborted the
            // request: that is the answer, not the connection's failure.
            GatewayException failure = e instanceof IOException && request.streamed() != null && request.streamed().refusal() != null
                    ? request.streamed().refusal() : unreachable(e);
            call.failed(failure.code());
            call.end();
            throw failure;
        }
        call.answered(response.statusCode(), response.headers().firstValue("x-request-id").orElse(null));
        if (response.statusCode() == 401) {
            call.end();
            refusedKey(request, response);
        }
        IdleWatchdog.Watch watch = watchdog.watch(response.body(), settings.idleTimeout());
        return new UpstreamResponse(response.statusCode(), response.headers(), watch.stream(), watch, call);
    }

    private GatewayException unreachable(Exception e) {
        return switch (e) {
            case HttpConnectTimeoutException t -> GatewayException.upstreamUnreachable("connecting to " + baseUrl.getHost() + " timed out");
            case HttpTimeoutException t -> GatewayException.upstreamTimeout("no response within " + settings.responseTimeout().toSeconds() + " s");
            case ConnectException c -> GatewayException.upstreamUnreachable("connection to " + baseUrl.getHost() + ":" + port() + " refused");
            case InterruptedException i -> {
                Thread.currentThread().interrupt();
                yield GatewayException.upstreamUnreachable("interrupted");
            }
            default -> GatewayException.upstreamUnreachable(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        };
    }

    /**
     * Tells the observers of upstream calls about one made elsewhere (the Realtime WebSocket leg), so that every
     * call is seen whoever opens it.
     */
    public UpstreamCalls.Call calling(String requestId, String method, String path) {
        return calls.calling(requestId, method, path);
    }

    /**
     * OpenAI answers 401 only about the key the gateway sent, never about the client's: every route answers it as
     * the gateway's own failure ({@link GatewayException#upstreamKeyRejected}), and the operator is told in the log,
     * at most once a minute, since every request fails the same way until the key is fixed.
     */
    private void refusedKey(UpstreamRequest request, HttpResponse<InputStream> response) {
        try {
            // Not read: the answer is known from its status, and a body that stalled would hold the request.
            response.body().close();
        } catch (IOException ignored) {
            // the connection is simply not reused
        }
        long now = System.nanoTime();
        long last = lastKeyWarning.get();
        if ((last == 0 || now - last > KEY_WARNING_INTERVAL.toNanos()) && lastKeyWarning.compareAndSet(last, now)) {
            LOG.warn("{} OpenAI refused the gateway's OPENAI_API_KEY (HTTP 401 on {} {}): every request relayed to {} "
                    + "fails with 502 upstream_key_rejected until a valid key is set and the gateway restarted",
                    request.requestId(), request.method(), request.path(), baseUrl.getHost());
        }
        throw GatewayException.upstreamKeyRejected(response.statusCode());
    }

    /**
     * Asks {@code GET /models} with a short timeout: whether the upstream answers, and whether it takes the key.
     * For readiness checks and the doctor; never on a request path.
     */
    public Probe probe(Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + "/models")).timeout(timeout)
                .header("User-Agent", USER_AGENT).GET();
        authorize(builder);
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Probe(true, response.statusCode(), response.body());
        } catch (IOException e) {
            return new Probe(false, 0, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(false, 0, "interrupted");
        }
    }

    /** The answer to {@link #probe}: {@code body} is the model list on success, else what went wrong. */
    public record Probe(boolean reachable, int status, String body) {
        public boolean keyAccepted() {
            return reachable && status >= 200 && status < 300;
        }
    }

    /** No key (a local model server that needs none) sends no Authorization header at all. */
    private void authorize(HttpRequest.Builder builder) {
        if (!apiKey.reveal().isEmpty()) builder.header("Authorization", "Bearer " + apiKey.reveal());
    }

    private URI resolve(UpstreamRequest request) {
        String base = baseUrl.toString();
        String query = request.query() == null || request.query().isEmpty() ? "" : "?" + request.query();
        return URI.create(base + request.path() + query);
    }

    private int port() {
        if (baseUrl.getPort() > 0) return baseUrl.getPort();
        return "https".equals(baseUrl.getScheme()) ? 443 : 80;
    }

    /**
     * Keeps {@code response}, a streamed call the gateway makes on its own behalf (a run's stretch, an agent's
     * round), until the returned handle is closed, so that a shutdown can end it ({@link #endOwnCalls}). Relayed
     * streams are ended by their relay instead.
     */
    public Kept endAtShutdown(UpstreamResponse response) {
        ownCalls.add(response);
        if (stopping) response.close();
        return () -> ownCalls.remove(response);
    }

    /** A call kept for the shutdown to end; closing lets it go. */
    public interface Kept extends AutoCloseable {
        @Override
        void close();
    }

    /** Closes every call kept by {@link #endAtShutdown}, and every one kept later: the instance is stopping. */
    public void endOwnCalls() {
        stopping = true;
        ownCalls.forEach(UpstreamResponse::close);
    }

    /** True once {@link #endOwnCalls} has been called: a call of the gateway's own should not start. */
    public boolean stopping() {
        return stopping;
    }

    @Override
    public void close() {
        watchdog.close();
        // close() would wait for exchanges in flight, such as a stalled stream whose client is gone; stopping
        // must not hang on them.
        http.shutdownNow();
    }
}
