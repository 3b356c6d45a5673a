package dev.switchboard.documents;

import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.Caller;
import dev.switchboard.auth.KeyCredentials;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * Signed, expiring URLs for uploaded documents: {@code /documents/{id}?expires=UNIX&key=KEY_ID&signature=HMAC}. The
 * signature covers the id, the expiry and the id of the key that uploaded the document, with a secret every instance
 * shares ({@link KeyCredentials}), so the URL can be handed to a tool or a model without a key. It is a credential of
 * that key, as a stream token is: it stops working when it expires, and when the key is revoked or its rotation
 * overlap ends, since anyone who can read the key's agent runs can read the URLs in them.
 */
public final class SignedUrls {
    public static final String PATH = "/documents/";
    public static final Duration LIFETIME = Duration.ofHours(1);

    private final KeyCredentials credentials;

    public SignedUrls(Jdbi jdbi, ApiKeys keys) {
        this.credentials = new KeyCredentials(jdbi, "document_url_hmac", keys);
    }

    /** The path and query of a signed URL for {@code id}, minted by {@code caller}'s key, valid for {@link #LIFETIME}. */
    public String sign(String id, Caller caller) {
        return sign(id, caller.keyId(), System.currentTimeMillis() / 1000 + LIFETIME.toSeconds());
    }

    String sign(String id, String keyId, long expires) {
        return PATH + id + "?expires=" + expires + "&key=" + keyId + "&signature=" + credentials.sign(keyId, expires, id);
    }

    /**
     * Checks a signed URL's parts.
     *
     * @throws DocumentRefused {@code bad_signature} when tampered with, {@code expired} when too old,
     *                         {@code key_revoked} when the key that minted it is no longer accepted
     */
    public void verify(String id, String expires, String keyId, String signature) {
        long expiry;
        try {
            expiry = Long.parseLong(expires);
        } catch (NumberFormatException | NullPointerException e) {
            throw new DocumentRefused("bad_signature", "The document URL is not signed by this gateway.");
        }
        switch (credentials.check(keyId, expiry, id, signature)) {
            case VALID -> { }
            case FORGED -> throw new DocumentRefused("bad_signature",
                    "The document URL is not signed by this gateway, or was changed.");
            case EXPIRED -> throw new DocumentRefused("expired",
                    "The document URL has expired; upload the document again or ask for a new URL.");
            case KEY_REVOKED -> throw new DocumentRefused("key_revoked", "The key that uploaded this document has been "
                    + "revoked, so its URLs no longer work; upload the document again with a valid key.");
        }
    }
}
