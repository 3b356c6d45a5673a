package dev.switchboard.emulator.moderations;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deterministic moderation: each category has a few words (or phrases) that flag it, so a test picks what is
 * flagged with the words it writes. A flagged subcategory ({@code violence/graphic}) flags its parent too. Scores
 * are high for flagged categories and small, fixed per text, for the others.
 */
public final class Moderator {
    /** The 13 categories, in OpenAI's order, each with the words that flag it. */
    public static final Map<String, List<String>> TRIGGERS = triggers();
    /** The categories OpenAI's omni model scores images for; the others apply to text only. */
    public static final List<String> IMAGE_CATEGORIES = List.of("self-harm", "self-harm/intent", "self-harm/instructions",
            "sexual", "violence", "violence/graphic");

    private Moderator() {}

    private static Map<String, List<String>> triggers() {
        Map<String, List<String>> t = new LinkedHashMap<>();
        t.put("harassment", List.of("idiot", "moron", "loser", "pathetic"));
        t.put("harassment/threatening", List.of("i will find you", "watch your back"));
        t.put("hate", List.of("subhuman", "vermin"));
        t.put("hate/threatening", List.of("exterminate them"));
        t.put("illicit", List.of("shoplift", "counterfeit", "launder money"));
        t.put("illicit/violent", List.of("build a bomb", "untraceable gun"));
        t.put("self-harm", List.of("self-harm", "hurt myself"));
        t.put("self-harm/intent", List.of("kill myself", "end my life"));
        t.put("self-harm/instructions", List.of("how to self-harm"));
        t.put("sexual", List.of("porn", "explicit sex"));
        t.put("sexual/minors", List.of("underage sex"));
        t.put("violence", List.of("kill", "murder", "stab"));
        t.put("violence/graphic", List.of("gore", "dismember"));
        return t;
    }

    /** Whether this text says a word (or phrase) of the category, or of a subcategory of it. */
    public static boolean flags(String category, String text) {
        String words = " " + String.join(" ", text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}-]+")) + " ";
        for (var entry : TRIGGERS.entrySet()) {
            if (!entry.getKey().equals(category) && !entry.getKey().startsWith(category + "/")) continue;
            for (String trigger : entry.getValue()) if (words.contains(" " + trigger + " ")) return true;
        }
        return false;
    }

    /** The score of a category for a text: 0.9 and above when flagged, under 0.001 otherwise. */
    public static double score(String category, String text, boolean flagged) {
        int h = Math.floorMod((category + "\u0000" + text).hashCode(), 1000);
        return flagged ? 0.9 + h / 10_000.0 : (h + 1) / 1_000_000.0;
    }
}
