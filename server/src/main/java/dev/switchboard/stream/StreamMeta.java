package dev.switchboard.stream;

import java.time.Instant;

/**
 * What is known of a relayed stream besides its events.
 *
 * @param id        the gateway's stream id ({@code strm_…}), sent to the client as {@code X-Switchboard-Stream-Id}
 * @param owner     the owner of the key that started it; only that owner may resume it
 * @param keyId     the key that started it
 * @param endpoint  the API path, such as {@code /v1/chat/completions}
 * @param model     the requested model, or null
 * @param resumable true when it keeps running upstream after its client leaves (background responses, runs)
 * @param requestId the client request whose relay writes this stream, when that request is accounted as one row
 *                  of {@code request_log} (relayed API streams); null for runs, whose upstream calls are their own
 * @param firstSeq  the sequence number of its first event: 0, or for a stream that continues another from event
 *                  N (a Responses stream retrieved with {@code starting_after=N}), N + 1, so that its ids are the
 *                  events' own {@code sequence_number}s
 */
public record StreamMeta(String id, String owner, String keyId, String endpoint, String model, boolean resumable,
                         Instant createdAt, String requestId, long firstSeq) {

    public StreamMeta(String id, String owner, String keyId, String endpoint, String model, boolean resumable,
                      Instant createdAt, String requestId) {
        this(id, owner, keyId, endpoint, model, resumable, createdAt, requestId, 0);
    }

    /** A stream written by a run of the gateway's own rather than by one relayed request. */
    public StreamMeta(String id, String owner, String keyId, String endpoint, String model, boolean resumable,
                      Instant createdAt) {
        this(id, owner, keyId, endpoint, model, resumable, createdAt, null, 0);
    }

    /**
     * A new stream id, in the form {@code StreamRoutes} accepts. Not a secret: resuming a stream also needs a key
     * of its owner, so a fast generator will do.
     */
    public static String newId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        return "strm_" + java.util.HexFormat.of().toHexDigits(random.nextLong())
                + java.util.HexFormat.of().toHexDigits(random.nextInt());
    }
}
