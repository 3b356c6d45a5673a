package dev.switchboard.emulator.embeddings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic embeddings: the same text is always the same unit vector, and texts that share words (and parts of
 * words) point the same way, so a search built on the emulator ranks as one expects. Each word adds a signed weight
 * at a few hashed positions, each character trigram a smaller one; a faint noise seeded by the whole text keeps
 * every vector distinct and never zero. Shortened ({@code dimensions}) as OpenAI shortens its v3 embeddings: the
 * first dimensions, normalized again.
 */
public final class Embedder {
    private static final int POSITIONS_PER_FEATURE = 6;
    private static final double WORD_WEIGHT = 1.0;
    private static final double TRIGRAM_WEIGHT = 0.35;
    private static final double NOISE_WEIGHT = 0.02;

    private Embedder() {}

    /** The unit vector of this text, {@code dimensions} long, of a model whose full vectors are {@code full} long. */
    public static float[] embed(String text, int full, int dimensions) {
        double[] vector = new double[full];
        for (String word : words(text)) {
            add(vector, "w:" + word, WORD_WEIGHT);
            String padded = " " + word + " ";
            for (int i = 0; i + 3 <= padded.length(); i++) add(vector, "t:" + padded.substring(i, i + 3), TRIGRAM_WEIGHT);
        }
        SplittableRandom noise = new SplittableRandom(hash("n:" + text));
        for (int i = 0; i < full; i++) vector[i] += noise.nextGaussian() * NOISE_WEIGHT;
        return unit(vector, dimensions);
    }

    /** Token ids are words of their own: the same ids, the same vector. */
    public static float[] embed(List<Integer> tokens, int full, int dimensions) {
        StringBuilder text = new StringBuilder();
        for (int token : tokens) text.append("tok").append(token).append(' ');
        return embed(text.toString(), full, dimensions);
    }

    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (!word.isEmpty()) words.add(word);
        return words;
    }

    private static void add(double[] vector, String feature, double weight) {
        SplittableRandom positions = new SplittableRandom(hash(feature));
        for (int i = 0; i < POSITIONS_PER_FEATURE; i++) {
            // Spread over the whole vector, with a share in its first 256 dimensions so that shortened vectors keep it.
            int bound = i < 2 ? Math.min(256, vector.length) : vector.length;
            vector[positions.nextInt(bound)] += positions.nextBoolean() ? weight : -weight;
        }
    }

    private static float[] unit(double[] vector, int dimensions) {
        double norm = 0;
        for (int i = 0; i < dimensions; i++) norm += vector[i] * vector[i];
        norm = Math.sqrt(norm);
        float[] out = new float[dimensions];
        for (int i = 0; i < dimensions; i++) out[i] = (float) (vector[i] / norm);
        return out;
    }

    private static long hash(String feature) {
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bits
        for (byte b : feature.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
