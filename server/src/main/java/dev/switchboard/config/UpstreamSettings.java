package dev.switchboard.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the OpenAI API is and how to talk to it.
 *
 * @param apiKey          the OpenAI key ({@code OPENAI_API_KEY}); empty means the built-in emulator is the upstream
 * @param baseUrl         the API's base URL ending in {@code /v1} ({@code OPENAI_BASE_URL}); empty with no key
 *                        means the emulator, empty with a key means {@code https://api.openai.com/v1}
 * @param connectTimeout  TCP/TLS connect limit (default 10 s)
 * @param responseTimeout limit for upstream response headers, and for a whole non-streamed answer (default 10 min)
 * @param idleTimeout     longest silence tolerated inside a stream before it is ended with an error (default 120 s)
 * @param retries         further attempts of a relayed request OpenAI refused with 429 or 5xx, or could not be reached
 *                        for, before anything was sent to the client ({@code SWITCHBOARD_UPSTREAM_RETRIES}; default 0)
 */
public record UpstreamSettings(Optional<Secret> apiKey, Optional<URI> baseUrl, Duration connectTimeout,
                               Duration responseTimeout, Duration idleTimeout, int retries) {

    public static final URI OPENAI = URI.create("https://api.openai.com/v1");

    /**
     * True when neither a key nor a base URL is configured, so the gateway starts its own emulator as the upstream.
     * A base URL without a key is a local model server that needs none.
     */
    public boolean usesEmulator() {
        return apiKey.isEmpty() && baseUrl.isEmpty();
    }

    /** The base URL to use when the emulator is not: the configured one, else OpenAI's. */
    public URI effectiveBaseUrl() {
        return baseUrl.orElse(OPENAI);
    }

    public UpstreamSettings withEndpoint(URI baseUrl, Secret apiKey) {
        return new UpstreamSettings(Optional.of(apiKey), Optional.of(baseUrl), connectTimeout, responseTimeout, idleTimeout, retries);
    }

    public UpstreamSettings withIdleTimeout(Duration idleTimeout) {
        return new UpstreamSettings(apiKey, baseUrl, connectTimeout, responseTimeout, idleTimeout, retries);
    }
}
