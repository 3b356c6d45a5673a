package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Waiting for a batch to end, over raw HTTP. */
final class BatchesTestSupport {
    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "expired");

    private BatchesTestSupport() {}

    static JsonNode awaitEnd(DataApiClient client, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonNode batch = client.ok("GET", "/batches/" + id, null);
            if (ENDED.contains(batch.path("status").asText())) return batch;
            if (System.nanoTime() > deadline) throw new AssertionError("batch still " + batch.path("status").asText());
            Thread.sleep(20);
        }
    }
}
