package dev.switchboard.stream;

import dev.switchboard.web.Json;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link StreamEnding} of each endpoint whose streams go through the event log, registered by the module that
 * writes them. An endpoint is matched exactly or by its longest registered prefix ({@code /v1/responses} covers
 * {@code /v1/responses/resp_1}); one nobody registered ends with a plain {@code error} event and {@code [DONE]}.
 */
public final class StreamEndings {
    private final Map<String, StreamEnding> byEndpoint = new ConcurrentHashMap<>();

    public StreamEndings register(String endpoint, StreamEnding ending) {
        byEndpoint.put(endpoint, ending);
        return this;
    }

    StreamEnding forEndpoint(String endpoint) {
        StreamEnding best = null;
        int bestLength = -1;
        for (Map.Entry<String, StreamEnding> entry : byEndpoint.entrySet()) {
            String prefix = entry.getKey();
            boolean matches = endpoint.equals(prefix) || endpoint.startsWith(prefix + "/");
            if (matches && prefix.length() > bestLength) {
                best = entry.getValue();
                bestLength = prefix.length();
            }
        }
        return best != null ? best : NamedEvents.ending((code, message) -> Json.object()
                .put("code", code).put("message", message));
    }
}
