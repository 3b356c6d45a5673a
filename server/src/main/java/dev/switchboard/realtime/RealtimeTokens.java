package dev.switchboard.realtime;

import dev.switchboard.auth.Caller;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.web.GatewayException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.jdbi.v3.core.Jdbi;

/**
 * The gateway's own Realtime credentials: signed, short-lived and single use. A client gets one instead of an
 * upstream {@code ek_} secret, so every session it opens passes through the gateway. The token's scope carries a
 * random id; opening a session records the id, and a second use is refused on every instance.
 */
final class RealtimeTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A minted token and when it expires (seconds since the epoch). */
    record Minted(String token, long expiresAt) {}

    private final StreamTokens tokens;
    private final Jdbi jdbi;

    RealtimeTokens(StreamTokens tokens, Jdbi jdbi) {
        this.tokens = tokens;
        this.jdbi = jdbi;
    }

    Minted mint(Caller caller, Duration lifetime) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return mintFor(caller, HexFormat.of().formatHex(id), lifetime);
    }

    /** A token whose id is {@code id}: a Realtime session prepared for the connection the token opens. */
    Minted mintFor(Caller caller, String id, Duration lifetime) {
        long expiresAt = System.currentTimeMillis() / 1000 + lifetime.toSeconds();
        return new Minted(tokens.issue(caller, RealtimeRelay.TOKEN_SCOPE + ":" + id, expiresAt), expiresAt);
    }

    /** The id a token carries; null for a key. */
    static String tokenId(Caller caller) {
        return caller.scope() == null ? null : caller.scope().substring(caller.scope().indexOf(':') + 1);
    }

    /** Spends the caller's token, if it came with one; refuses a token already spent. Keys pass untouched. */
    void spend(Caller caller) {
        if (caller.scope() == null) return;
        String id = tokenId(caller);
        int inserted;
        try {
            inserted = jdbi.inTransaction(h -> {
                // Tokens live at most two hours, so a day-old use can no longer matter: the table stays small.
                h.createUpdate("delete from realtime_token_uses where used_at < now() - interval '1 day'").execute();
                return h.createUpdate("insert into realtime_token_uses (token_id) values (:id) on conflict do nothing")
                        .bind("id", id).execute();
            });
        } catch (RuntimeException e) {
            throw new GatewayException(503, "server_error", "token_check_unavailable", null,
                    "The gateway cannot check Realtime tokens right now (its database is unreachable); try again shortly.");
        }
        if (inserted == 0) {
            throw new GatewayException(401, "invalid_request_error", "token_already_used", null,
                    "This Realtime token has already opened a session; tokens are single use. Mint a new one.");
        }
    }
}
