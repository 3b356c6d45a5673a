package dev.switchboard.openai;

import java.net.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Only an allowlist does, in each direction: credentials, hop-by-hop headers
 * (Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) and anything naming the upstream
 * account stay on their own side.
 */
final class RelayedHeaders {
    private static final List<String> FROM_CLIENT = List.of("OpenAI-Beta", "Idempotency-Key");
    private static final Set<String> FROM_UPSTREAM = Set.of("x-request-id", "openai-processing-ms", "openai-version",
            "retry-after", "retry-after-ms");
    private static final String RATE_LIMIT_PREFIX = "x-ratelimit-";

    private RelayedHeaders() {}

    static Map<String, String> fromClient(java.util.function.Function<String, String> header) {
        Map<String, String> forwarded = new LinkedHashMap<>();
        for (String name : FROM_CLIENT) {
            String value = header.apply(name);
            if (value != null && !value.isBlank()) forwarded.put(name, value);
        }
        return forwarded;
    }

    static Map<String, String> fromUpstream(HttpHeaders headers) {
        Map<String, String> relayed = new LinkedHashMap<>();
        headers.map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!values.isEmpty() && (FROM_UPSTREAM.contains(lower) || lower.startsWith(RATE_LIMIT_PREFIX))) {
                relayed.put(lower, values.get(0));
            }
        });
        return relayed;
    }
}
