package dev.switchboard.auth;

import org.jdbi.v3.core.Handle;

/**
 * Told of each key rotation inside the rotation's own transaction, so that what another package keeps for a key (its
 * limits) moves to the successor with it, or not at all. Auth knows nothing of what is kept; it only offers the moment.
 */
@FunctionalInterface
public interface KeyRotationListener {
    void rotated(Handle transaction, String oldKeyId, String newKeyId);
}
