package dev.switchboard.assistants;

import java.util.concurrent.ThreadLocalRandom;

/** Ids in OpenAI's form: a type prefix and 24 letters and digits. Owner checks protect objects, not the ids. */
final class ObjectIds {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private ObjectIds() {}

    static String next(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[24];
        for (int i = 0; i < chars.length; i++) chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        return prefix + new String(chars);
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
