package dev.switchboard.auth;

import java.time.Instant;

/**
 * Who is calling: the gateway key that authenticated the request, directly or through a short-lived stream token
 * minted with it. Objects a caller creates belong to its {@code owner}, so that all keys of one owner (a rotated key
 * and its successor) see the same objects.
 *
 * @param scope     for a stream token, what it may read (such as {@code run:thread_x/run_y}); null for a key
 * @param expiresAt when the key stops working (a rotated key in its overlap window); null for no end
 */
public record Caller(String keyId, String keyName, String owner, boolean admin, String scope, Instant expiresAt) {
    public Caller(String keyId, String keyName, String owner, boolean admin) {
        this(keyId, keyName, owner, admin, null, null);
    }

    public Caller(String keyId, String keyName, String owner, boolean admin, String scope) {
        this(keyId, keyName, owner, admin, scope, null);
    }

    /**
     * True when the caller may read {@code wanted}: any key may; a token only its own scope, or a scope under it
     * ({@code realtime:ID} is within {@code realtime}).
     */
    public boolean mayRead(String wanted) {
        return scope == null || scope.equals(wanted) || scope.startsWith(wanted + ":");
    }
}
