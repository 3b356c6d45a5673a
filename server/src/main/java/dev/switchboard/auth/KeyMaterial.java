package dev.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Generates gateway keys and hashes them. Keys carry 256 random bits, so a plain SHA-256 is a sufficient hash. */
final class KeyMaterial {
    static final String KEY_PREFIX = "sb-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMaterial() {}

    static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String newId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "key_" + HexFormat.of().formatHex(bytes);
    }

    /** An owner of its own for a key created without one: unguessable, so no name can stand for it. */
    static String newOwner() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "own_" + HexFormat.of().formatHex(bytes);
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The first characters of a key, enough to tell keys apart in a list, too few to guess the rest. */
    static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), KEY_PREFIX.length() + 6));
    }
}
