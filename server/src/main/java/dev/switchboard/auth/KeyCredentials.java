package dev.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;

/**
 * The one way credentials derived from a gateway key are signed and checked: stream tokens, Realtime tokens and client
 * secrets ({@link StreamTokens}) and signed document URLs. Each carries the id of the key that minted it and an expiry;
 * an HMAC-SHA256 signature, with a secret every instance reads from the database, covers both and the credential's
 * content. On every use the key itself is checked too ({@link ApiKeys#active}: the same check and memory as a key
 * presented directly, cleared on every instance by a revocation), so a credential is refused as soon as the key that
 * minted it is revoked or its rotation overlap ends.
 */
public final class KeyCredentials {
    /** What a check found, in the order it is checked. */
    public enum Check { VALID, FORGED, EXPIRED, KEY_REVOKED }

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;
    private final ApiKeys keys;

    /** @param secretName the {@code gateway_secrets} row of this kind of credential, made on first use */
    public KeyCredentials(Jdbi jdbi, String secretName, ApiKeys keys) {
        this.secret = GatewaySecrets.load(jdbi, secretName);
        this.keys = keys;
    }

    /** The signature (base64url) of a credential minted by {@code keyId}, valid until {@code expires} (epoch seconds). */
    public String sign(String keyId, long expires, String content) {
        if (keyId == null || keyId.isBlank()) throw new IllegalArgumentException("A credential is minted by a key.");
        return ENCODER.encodeToString(mac(keyId, expires, content));
    }

    /**
     * Checks a credential presented with its parts.
     *
     * @throws dev.switchboard.web.GatewayException 503 when the key cannot be checked (database unreachable and the key
     *                                              not verified recently)
     */
    public Check check(String keyId, long expires, String content, String signature) {
        if (keyId == null || signature == null) return Check.FORGED;
        byte[] given = signature.getBytes(StandardCharsets.US_ASCII);
        byte[] expected = ENCODER.encode(mac(keyId, expires, content));
        if (!MessageDigest.isEqual(expected, given)) return Check.FORGED;
        if (expires < System.currentTimeMillis() / 1000) return Check.EXPIRED;
        return keys.active(keyId) ? Check.VALID : Check.KEY_REVOKED;
    }

    private byte[] mac(String keyId, long expires, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            // Lengths first, so that no two different (key, expiry, content) share the signed bytes.
            return mac.doFinal((keyId.length() + ":" + keyId + "." + expires + "." + content).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
