package dev.switchboard.emulator;

import java.security.SecureRandom;

/** OpenAI-style object ids: a prefix and random alphanumerics. Ids are random; replies are not. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Ids() {}

    public static String next(String prefix) {
        char[] chars = new char[24];
        for (int i = 0; i < chars.length; i++) chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        return prefix + new String(chars);
    }

    public static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
