package dev.switchboard.debug;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import java.time.Instant;

/** One finished request, as written to {@code request_log} (and, with debug events on, to the debug log). */
public record RequestRow(String requestId, String keyId, String keyName, String owner, String endpoint, String model, boolean streaming,
                         String streamId, int status, String outcome, String error, String upstreamRequestId,
                         Usage usage, long ttfbMillis, long durationMillis, long events, Instant createdAt) {

    static RequestRow of(Exchange e) {
        return new RequestRow(e.requestId(), e.keyId(), e.keyName(), e.owner(), e.endpoint(), e.model(), e.streaming(), e.streamId(),
                e.status(), e.outcome(), e.error(), e.upstreamRequestId(), e.usage(), e.ttfbMillis(), e.durationMillis(),
                e.events(), e.startedAt());
    }
}
