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
 */
public record StreamMeta(String id, String owner, String keyId, String endpoint, String model, boolean resumable,
                         Instant createdAt) {

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
