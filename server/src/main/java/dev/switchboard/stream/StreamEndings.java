package dev.switchboard.stream;

import dev.switchboard.web.Json;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link StreamEnding} of each endpoint whose streams go through the event log, registered by the module that
 * writes them, and the {@link StreamContinuation} of those whose streams keep running upstream without their
 * instance. An endpoint is matched exactly or by its longest registered prefix ({@code /v1/responses} covers
 * {@code /v1/responses/resp_1}); one nobody registered ends with a plain {@code error} event and {@code [DONE]}, and
 * is never continued.
 */
public final class StreamEndings {
    private final Map<String, StreamEnding> byEndpoint = new ConcurrentHashMap<>();
    private final Map<String, StreamContinuation> continuations = new ConcurrentHashMap<>();

    public StreamEndings register(String endpoint, StreamEnding ending) {
        byEndpoint.put(endpoint, ending);
        return this;
    }

    /** How the resumable streams of {@code endpoint} go on when their instance is gone, rather than end. */
    public StreamEndings continueWith(String endpoint, StreamContinuation continuation) {
        continuations.put(endpoint, continuation);
        return this;
    }

    StreamEnding forEndpoint(String endpoint) {
        StreamEnding best = longestMatch(byEndpoint, endpoint);
        return best != null ? best : NamedEvents.ending((code, message) -> Json.object()
                .put("code", code).put("message", message));
    }

    /** The endpoint's continuation, or null when its streams cannot go on without their instance. */
    StreamContinuation continuationFor(String endpoint) {
        return longestMatch(continuations, endpoint);
    }

    private static <T> T longestMatch(Map<String, T> byEndpoint, String endpoint) {
        T best = null;
        int bestLength = -1;
        for (Map.Entry<String, T> entry : byEndpoint.entrySet()) {
            String prefix = entry.getKey();
            boolean matches = endpoint.equals(prefix) || endpoint.startsWith(prefix + "/");
            if (matches && prefix.length() > bestLength) {
                best = entry.getValue();
                bestLength = prefix.length();
            }
        }
        return best;
    }
}
