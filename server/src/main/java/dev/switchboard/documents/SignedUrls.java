package dev.switchboard.documents;

import dev.switchboard.auth.GatewaySecrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;

/**
 * Signed, expiring URLs for uploaded documents: {@code /documents/{id}?expires=UNIX&signature=HMAC}. The signature
 * covers the id and the expiry, with a secret every instance shares, so the URL can be handed to a tool or a model
 * without a key and stops working when it expires.
 */
public final class SignedUrls {
    public static final String PATH = "/documents/";
    public static final Duration LIFETIME = Duration.ofHours(1);

    private final byte[] secret;

    public SignedUrls(Jdbi jdbi) {
        this.secret = GatewaySecrets.load(jdbi, "document_url_hmac");
    }

    /** The path and query of a signed URL for {@code id}, valid for {@link #LIFETIME}. */
    public String sign(String id) {
        return sign(id, System.currentTimeMillis() / 1000 + LIFETIME.toSeconds());
    }

    String sign(String id, long expires) {
        return PATH + id + "?expires=" + expires + "&signature=" + signature(id, expires);
    }

    /**
     * Checks a signed URL's parts.
     *
     * @throws DocumentRefused {@code bad_signature} when tampered with, {@code expired} when too old
     */
    public void verify(String id, String expires, String signature) {
        long expiry;
        try {
            expiry = Long.parseLong(expires);
        } catch (NumberFormatException | NullPointerException e) {
            throw new DocumentRefused("bad_signature", "The document URL is not signed by this gateway.");
        }
        byte[] expected = signature(id, expiry).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature == null ? new byte[0] : signature.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new DocumentRefused("bad_signature", "The document URL is not signed by this gateway, or was changed.");
        }
        if (expiry < System.currentTimeMillis() / 1000) {
            throw new DocumentRefused("expired", "The document URL has expired; upload the document again or ask for a new URL.");
        }
    }

    private String signature(String id, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
