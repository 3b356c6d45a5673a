package dev.switchboard.upstream;

import dev.switchboard.config.Secret;
import dev.switchboard.config.UpstreamSettings;
import dev.switchboard.config.Version;
import dev.switchboard.web.GatewayException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to the OpenAI API (or any compatible upstream) with the server's key, on Jetty's HTTP client: the same
 * non-blocking I/O as the gateway's own server, so a relayed event can be read and written on without a thread of
 * its own. HTTP/1.1 only: one connection per stream is what a streaming relay wants, and over HTTP/2 a server's
 * concurrent-stream limit would fail requests under load. The client keeps no cookies (a cookie OpenAI sets for one
 * tenant's request must never ride on another's), decodes no content (bytes are relayed as they came) and follows no
 * redirect.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);
    private static final String USER_AGENT = "Switchboard/" + Version.VALUE;
    private static final Duration KEY_WARNING_INTERVAL = Duration.ofMinutes(1);
    /** How long a pooled connection may sit unused; OpenAI's edge closes idle ones after about a minute. */
    private static final Duration POOLED_IDLE = Duration.ofSeconds(30);
    /** Concurrent connections to the upstream: each open stream holds one, so the open-file limit is the bound. */
    private static final int MAX_CONNECTIONS = 1 << 16;

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
        this.http = startClient(settings);
    }

    private static HttpClient startClient(UpstreamSettings settings) {
        HttpClient http = new HttpClient();
        QueuedThreadPool threads = new QueuedThreadPool(256, 4);
        threads.setName("upstream");
        threads.setDaemon(true);
        http.setExecutor(threads);
        http.setConnectTimeout(settings.connectTimeout().toMillis());
        http.setIdleTimeout(POOLED_IDLE.toMillis());
        http.setFollowRedirects(false);
        http.setUserAgentField(null);
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setMaxConnectionsPerDestination(MAX_CONNECTIONS);
        http.setMaxRequestsQueuedPerDestination(MAX_CONNECTIONS);
        // Response listeners and the relay's reads run on the I/O thread that read the bytes, with no hand-over to
        // another thread per event: none of them blocks (the relay sends what may block, a database write, to a
        // thread of its own; blocking readers of body() wait on their own threads).
        http.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("the upstream HTTP client did not start", e);
        }
        // Filled at start from what is on the class path; the gateway relays bytes as upstream sent them.
        http.getContentDecoderFactories().clear();
        // A 401 is the gateway's key refused, answered by the gateway (refusedKey), never a challenge to take up.
        http.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
        http.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
        return http;
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
        try {
            return sendAsync(request).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof GatewayException refusal ? refusal
                    : GatewayException.upstreamUnreachable(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.upstreamUnreachable("interrupted");
        }
    }

    /**
     * Sends the request without waiting: the answer completes once the response headers have arrived (the body is
     * left to the caller, watched for silence), or fails with the {@link GatewayException} {@link #send} would throw.
     * Its stages run on the client's I/O threads: they must not block.
     */
    public CompletableFuture<UpstreamResponse> sendAsync(UpstreamRequest request) {
        Request upstreamRequest = http.newRequest(resolve(request))
                .method(request.method())
                // The client's idle timeout would also run while a model thinks before its headers; the watchdog
                // times the body instead, and this only backs up the response timeout.
                .idleTimeout(Math.max(settings.responseTimeout().toMillis(), settings.idleTimeout().toMillis()),
                        TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put("User-Agent", USER_AGENT);
                    headers.put("X-Client-Request-Id", request.requestId());
                    if (!apiKey.reveal().isEmpty()) headers.put("Authorization", "Bearer " + apiKey.reveal());
                    request.headers().forEach(headers::put);
                });
        if (request.body() != null) {
            String type = request.headers().getOrDefault("Content-Type", "application/json");
            upstreamRequest.body(new BytesRequestContent(type, request.body()));
        } else if (request.streamed() != null) {
            upstreamRequest.body(request.streamed().content());
        }
        UpstreamCalls.Call call = calls.calling(request.requestId(), request.method(), request.path());
        CompletableFuture<UpstreamResponse> answer = new CompletableFuture<>();
        Scheduler.Task headersTimer = http.getScheduler().schedule(
                () -> upstreamRequest.abort(new HeadersTimeout(settings.responseTimeout())),
                settings.responseTimeout().toMillis(), TimeUnit.MILLISECONDS);
        upstreamRequest.send(new Response.Listener() {
            @Override
            public void onContentSource(Response response, Content.Source source) {
                headersTimer.cancel();
                call.answered(response.getStatus(), response.getHeaders().get("x-request-id"));
                IdleWatchdog.Watch watch = watchdog.watch(settings.idleTimeout(),
                        () -> upstreamRequest.abort(new TimeoutException("upstream idle")));
                UpstreamResponse answered = new UpstreamResponse(response.getStatus(), headersOf(response.getHeaders()),
                        source, () -> upstreamRequest.abort(new IOException("closed by the gateway")), watch, call);
                if (response.getStatus() == 401) {
                    answered.close();
                    answer.completeExceptionally(refusedKey(request));
                    return;
                }
                answer.complete(answered);
            }

            @Override
            public void onComplete(Result result) {
                headersTimer.cancel();
                if (result.isFailed() && !answer.isDone()) {
                    GatewayException failure = failure(request, result.getFailure());
                    call.failed(failure.code());
                    call.end();
                    answer.completeExceptionally(failure);
                }
            }
        });
        return answer;
    }

    /** Why no response came: a streamed body the gateway stopped, or the upstream's failure. */
    private GatewayException failure(UpstreamRequest request, Throwable cause) {
        // A streamed body that stopped on the gateway's side (refused, too large, the client gone) aborted the
        // request: that is the answer, not the connection's failure.
        if (request.streamed() != null && request.streamed().refusal() != null) return request.streamed().refusal();
        return unreachable(cause);
    }

    private GatewayException unreachable(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        return switch (e) {
            case HeadersTimeout t -> GatewayException.upstreamTimeout("no response within " + t.limit.toSeconds() + " s");
            case SocketTimeoutException t -> GatewayException.upstreamUnreachable("connecting to " + baseUrl.getHost() + " timed out");
            case ConnectException c -> GatewayException.upstreamUnreachable("connection to " + baseUrl.getHost() + ":" + port() + " refused");
            default -> GatewayException.upstreamUnreachable(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        };
    }

    /** The response headers did not come within the response timeout. */
    private static final class HeadersTimeout extends TimeoutException {
        final Duration limit;

        HeadersTimeout(Duration limit) {
            super("no response headers within " + limit);
            this.limit = limit;
        }
    }

    /** Jetty's fields as the JDK's header map, which the rest of the gateway reads (case-insensitive names). */
    static HttpHeaders headersOf(HttpFields fields) {
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (HttpField field : fields) map.computeIfAbsent(field.getName(), name -> new ArrayList<>()).add(field.getValue());
        return HttpHeaders.of(map, (name, value) -> true);
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
     * at most once a minute, since every request fails the same way until the key is fixed. The body is not read: the
     * answer is known from its status, and a body that stalled would hold the request.
     */
    private GatewayException refusedKey(UpstreamRequest request) {
        long now = System.nanoTime();
        long last = lastKeyWarning.get();
        if ((last == 0 || now - last > KEY_WARNING_INTERVAL.toNanos()) && lastKeyWarning.compareAndSet(last, now)) {
            LOG.warn("{} OpenAI refused the gateway's OPENAI_API_KEY (HTTP 401 on {} {}): every request relayed to {} "
                    + "fails with 502 upstream_key_rejected until a valid key is set and the gateway restarted",
                    request.requestId(), request.method(), request.path(), baseUrl.getHost());
        }
        return GatewayException.upstreamKeyRejected(401);
    }

    /**
     * Asks {@code GET /models} with a short timeout: whether the upstream answers, and whether it takes the key.
     * For readiness checks and the doctor; never on a request path.
     */
    public Probe probe(Duration timeout) {
        Request request = http.newRequest(URI.create(baseUrl + "/models")).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put("User-Agent", USER_AGENT);
                    if (!apiKey.reveal().isEmpty()) headers.put("Authorization", "Bearer " + apiKey.reveal());
                });
        try {
            ContentResponse response = request.send();
            return new Probe(true, response.getStatus(), new String(response.getContent(), StandardCharsets.UTF_8));
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return new Probe(false, 0, cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
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
        // Stopping aborts the exchanges in flight, such as a stalled stream whose client is gone: it must not wait.
        try {
            http.stop();
        } catch (Exception e) {
            LOG.debug("the upstream HTTP client stopped with {}", e.toString());
        }
    }
}
