package dev.switchboard.documents;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Fetches document URLs without becoming a way into the gateway's network (SSRF). A URL must be https (unless
 * the rules allow http) and name a host on the allowlist; its host is resolved once, inside the HTTP client, and
 * every address must be public, so the address checked is the address connected to (no DNS rebinding). Redirects
 * are followed by hand, each one checked again; the body is capped and its type recognised by its first bytes.
 */
public final class DocumentFetcher implements AutoCloseable {
    /**
     * @param allowedHosts hosts that may be fetched from; an entry starting with a dot also allows its subdomains
     * @param httpsOnly    refuse plain http
     * @param maxBytes     the largest document accepted
     * @param maxRedirects how many redirects to follow
     * @param timeout      for the whole of one fetch
     */
    public record Rules(Set<String> allowedHosts, boolean httpsOnly, long maxBytes, int maxRedirects, Duration timeout) {}

    /** Resolves a host name; replaceable so that tests can point names at local servers. */
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A fetched document. */
    public record Fetched(byte[] bytes, MediaType type, URI finalUri) {}

    private final Rules rules;
    private final HttpClient http;

    public DocumentFetcher(Rules rules) {
        this(rules, InetAddress::getAllByName, AddressPolicy::isPublic);
    }

    public DocumentFetcher(Rules rules, HostResolver resolver, Predicate<InetAddress> addressAllowed) {
        this.rules = rules;
        this.http = new HttpClient();
        http.setFollowRedirects(false);
        http.setSocketAddressResolver(checkedResolver(resolver, addressAllowed));
        http.setConnectTimeout(rules.timeout().toMillis());
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the document fetcher", e);
        }
    }

    public Fetched fetch(URI uri) {
        long deadline = System.nanoTime() + rules.timeout().toNanos();
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            check(current);
            InputStreamResponseListener listener = new InputStreamResponseListener();
            http.newRequest(current).timeout(remaining(deadline), TimeUnit.MILLISECONDS).send(listener);
            Response response;
            try {
                response = listener.get(remaining(deadline), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw refusedFrom(e, current);
            }
            int status = response.getStatus();
            if (status >= 300 && status < 400 && response.getHeaders().get("Location") != null) {
                closeQuietly(listener);
                if (redirects >= rules.maxRedirects()) throw new DocumentRefused("too_many_redirects", "More than "
                        + rules.maxRedirects() + " redirects from " + uri + ".");
                current = current.resolve(response.getHeaders().get("Location"));
                continue;
            }
            if (status != 200) {
                closeQuietly(listener);
                throw new DocumentRefused("fetch_failed", "Fetching " + current + " answered HTTP " + status + ".");
            }
            byte[] body = readCapped(listener, current);
            MediaType type = MediaType.sniff(body);
            if (type == null) {
                throw new DocumentRefused("unsupported_type", "The document at " + current
                        + " is not a PNG, JPEG, WebP, GIF or PDF file.");
            }
            return new Fetched(body, type, current);
        }
    }

    /** Scheme and host allowlist; the addresses are checked when the client resolves the host. */
    private void check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("https") && !(scheme.equals("http") && !rules.httpsOnly())) {
            throw new DocumentRefused("scheme_not_allowed", "Only https document URLs are accepted, not " + uri + ".");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase();
        boolean listed = rules.allowedHosts().stream().anyMatch(h -> h.startsWith(".") ? host.endsWith(h) || host.equals(h.substring(1))
                : host.equals(h));
        if (!listed) throw new DocumentRefused("host_not_allowed", "Host " + host + " is not on the document URL allowlist "
                + "(SWITCHBOARD_DOCUMENT_URL_ALLOWLIST).");
    }

    private byte[] readCapped(InputStreamResponseListener listener, URI uri) {
        try (InputStream in = listener.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, rules.maxBytes() + 1));
            if (body.length > rules.maxBytes()) {
                throw new DocumentRefused("too_large", "The document at " + uri + " is larger than " + rules.maxBytes() + " bytes.");
            }
            return body;
        } catch (IOException e) {
            throw new DocumentRefused("fetch_failed", "Reading " + uri + " failed: " + e.getMessage());
        }
    }

    private static SocketAddressResolver checkedResolver(HostResolver resolver, Predicate<InetAddress> addressAllowed) {
        return (host, port, context, promise) -> {
            try {
                InetAddress[] addresses = resolver.resolve(host);
                List<InetSocketAddress> result = new ArrayList<>();
                for (InetAddress address : addresses) {
                    // Every address must pass, not just one: a name that also resolves inward is refused.
                    if (!addressAllowed.test(address)) {
                        promise.failed(new DocumentRefused("address_not_allowed", "Host " + host + " resolves to "
                                + address.getHostAddress() + ", which is not a public address."));
                        return;
                    }
                    result.add(new InetSocketAddress(address, port));
                }
                promise.succeeded(result);
            } catch (UnknownHostException e) {
                promise.failed(new DocumentRefused("unknown_host", "Host " + host + " cannot be resolved."));
            }
        };
    }

    private static DocumentRefused refusedFrom(Exception e, URI uri) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof DocumentRefused refused) return refused;
        return new DocumentRefused("fetch_failed", "Fetching " + uri + " failed: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    private static long remaining(long deadline) {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (millis <= 0) throw new DocumentRefused("timeout", "Fetching the document took too long.");
        return millis;
    }

    private static void closeQuietly(InputStreamResponseListener listener) {
        try {
            listener.getInputStream().close();
        } catch (IOException ignored) {
            // discarding a redirect's or an error's body
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception ignored) {
            // stopping
        }
    }
}
