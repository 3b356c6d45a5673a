package dev.switchboard.auth;

import java.time.Instant;

/** A gateway key as stored and listed: never the key itself, only its first characters to recognise it by. */
public record ApiKey(String id, String name, String owner, String prefix, boolean admin, Instant createdAt,
                     Instant revokedAt) {
    /** Not revoked, or revoked only from a moment still to come (a rotated key in its overlap window). */
    public boolean active() {
        return revokedAt == null || revokedAt.isAfter(Instant.now());
    }
}
