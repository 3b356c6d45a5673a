package dev.switchboard.emulator.vectorstores;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's stand-in for semantic search: files are read from disk as text, cut into chunks of words (a word
 * standing for a token, with the store's chunk size and overlap), and each chunk scored by the query's words it
 * holds. Deterministic, and meaningful enough to test ranking: a chunk with every query word outranks one with some.
 *
 * <p>Score: {@code 0.75 × (query words present / query words) + 0.25 × (hits / (hits + 3))}, in [0, 1); chunks
 * without any query word are not results. Ties keep the files' order in the store, then the chunks' order.
 */
final class TextSearch {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "do", "does",
            "for", "from", "how", "in", "is", "it", "of", "on", "or", "the", "to", "what", "when", "where", "which", "who",
            "why", "with");
    private static final int MAX_WORD_CHARS = 256;

    /** A scored chunk: which file (its position in the store), which chunk, and its text. */
    record Hit(VectorStore.StoreFile file, int fileOrder, int chunk, double score, String text) {}

    private TextSearch() {}

    /** The distinct words of the queries that count (not stop words, unless nothing else is left). */
    static Set<String> terms(List<String> queries) {
        Set<String> all = new LinkedHashSet<>();
        for (String query : queries) {
            Matcher words = WORD.matcher(query.toLowerCase(Locale.ROOT));
            while (words.find()) all.add(words.group());
        }
        Set<String> meaningful = new LinkedHashSet<>(all);
        meaningful.removeAll(STOP_WORDS);
        return meaningful.isEmpty() ? all : meaningful;
    }

    /** Adds this file's chunks that score above {@code threshold} to {@code best}, which keeps the top {@code limit}. */
    static void scan(Path path, VectorStore.StoreFile file, int fileOrder, Set<String> terms, double threshold,
                     PriorityQueue<Hit> best, int limit) throws IOException {
        int chunk = 0;
        int stride = Math.max(1, file.chunkSize() - file.overlap());
        Deque<String> window = new ArrayDeque<>();
        int fresh = 0;
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder), 64 * 1024)) {
            for (String word; (word = nextWord(reader)) != null; ) {
                window.addLast(word);
                fresh++;
                if (window.size() == file.chunkSize()) {
                    offer(new ArrayList<>(window), file, fileOrder, chunk++, terms, threshold, best, limit);
                    for (int i = 0; i < stride && !window.isEmpty(); i++) window.removeFirst();
                    fresh = 0;
                }
            }
        }
        if (fresh > 0) offer(new ArrayList<>(window), file, fileOrder, chunk, terms, threshold, best, limit);
    }

    /** The order results are kept and shown in: best score first, then earlier files and chunks. */
    static final Comparator<Hit> RANKING = Comparator.comparingDouble(Hit::score).reversed()
            .thenComparingInt(Hit::fileOrder).thenComparingInt(Hit::chunk);

    private static void offer(List<String> words, VectorStore.StoreFile file, int fileOrder, int chunk, Set<String> terms,
                              double threshold, PriorityQueue<Hit> best, int limit) {
        double score = score(words, terms);
        if (score <= 0 || score < threshold) return;
        best.add(new Hit(file, fileOrder, chunk, score, String.join(" ", words)));
        if (best.size() > limit) best.poll(); // the queue's head is the worst kept
    }

    static double score(List<String> words, Set<String> terms) {
        if (terms.isEmpty()) return 0;
        Set<String> present = new LinkedHashSet<>();
        int hits = 0;
        for (String word : words) {
            Matcher parts = WORD.matcher(word.toLowerCase(Locale.ROOT));
            while (parts.find()) {
                if (terms.contains(parts.group())) {
                    present.add(parts.group());
                    hits++;
                }
            }
        }
        if (hits == 0) return 0;
        double score = 0.75 * present.size() / terms.size() + 0.25 * hits / (hits + 3.0);
        return Math.round(score * 10_000) / 10_000.0;
    }

    /** The next whitespace-separated word (long runs cut into words of at most 256 characters), or null at the end. */
    private static String nextWord(Reader reader) throws IOException {
        StringBuilder word = new StringBuilder();
        for (int c; (c = reader.read()) >= 0; ) {
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                if (!word.isEmpty()) return word.toString();
            } else {
                word.append((char) c);
                if (word.length() == MAX_WORD_CHARS) return word.toString();
            }
        }
        return word.isEmpty() ? null : word.toString();
    }
}
