package dev.switchboard.emulator.media;

/** The emulator's token count for usage fields: about four characters a token, as OpenAI's tokenizers average. */
public final class Tokens {
    private Tokens() {}

    public static int of(String text) {
        if (text == null || text.isEmpty()) return 0;
        return Math.max(1, (text.length() + 3) / 4);
    }
}
