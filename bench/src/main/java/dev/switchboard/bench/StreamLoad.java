package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens many concurrent Chat Completions streams against an OpenAI-compatible base URL (the emulator directly,
 * or Switchboard in front of it) and measures time to first byte and events per second. One virtual thread per
 * stream; every stream is bounded by a timeout, so a run always ends.
 */
public final class StreamLoad {
    /**
     * @param baseUrl     the API base ending in /v1
     * @param apiKey      the bearer key
     * @param model       the model, which may carry emulator directives ({@code gpt-4o-mini;tokens=50;delay_ms=20})
     * @param streams     how many streams in all
     * @param concurrency how many at once
     */
    public record Options(String baseUrl, String apiKey, String model, int streams, int concurrency, Duration timeout) {}

    /** What a run measured. Latencies in microseconds. */
    public record Result(int streams, int failed, long events, double seconds, long ttfbP50Micros, long ttfbP99Micros) {
        public double eventsPerSecond() {
            return seconds == 0 ? 0 : events / seconds;
        }

        @Override
        public String toString() {
            return String.format("streams=%d failed=%d events=%d time=%.2fs events/s=%.0f ttfb p50=%.2fms p99=%.2fms",
                    streams, failed, events, seconds, eventsPerSecond(), ttfbP50Micros / 1000.0, ttfbP99Micros / 1000.0);
        }
    }

    private StreamLoad() {}

    public static Result run(Options options) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        String body = "{\"model\":\"" + options.model() + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"benchmark\"}]}";
        ConcurrentLinkedQueue<Long> ttfbs = new ConcurrentLinkedQueue<>();
        AtomicLong events = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        var slots = new java.util.concurrent.Semaphore(options.concurrency());
        long start = System.nanoTime();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < options.streams(); i++) {
                slots.acquire();
                executor.submit(() -> {
                    try {
                        long count = oneStream(http, options, body, ttfbs);
                        if (count < 0) failed.incrementAndGet();
                        else events.addAndGet(count);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(ttfbs);
        Collections.sort(sorted);
        return new Result(options.streams(), (int) failed.get(), events.get(), seconds,
                percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    /** Events received on one stream, or -1 when it failed or did not end with [DONE]. */
    private static long oneStream(HttpClient http, Options options, String body, ConcurrentLinkedQueue<Long> ttfbs) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(options.baseUrl() + "/chat/completions"))
                .timeout(options.timeout())
                .header("Authorization", "Bearer " + options.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long sent = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) return -1;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                long count = 0;
                boolean first = true;
                for (String line; (line = reader.readLine()) != null; ) {
                    if (!line.startsWith("data: ")) continue;
                    if (first) {
                        ttfbs.add((System.nanoTime() - sent) / 1000);
                        first = false;
                    }
                    if (line.equals("data: [DONE]")) return count;
                    count++;
                }
                return -1;
            }
        } catch (Exception e) {
            return -1;
        }
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** {@code java -cp ... dev.switchboard.bench.StreamLoad BASE_URL KEY [STREAMS] [CONCURRENCY] [MODEL]} */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("Usage: StreamLoad BASE_URL API_KEY [STREAMS=1000] [CONCURRENCY=100] [MODEL=gpt-4o-mini;tokens=50]");
            System.exit(2);
        }
        Options options = new Options(args[0], args[1], args.length > 4 ? args[4] : "gpt-4o-mini;tokens=50",
                args.length > 2 ? Integer.parseInt(args[2]) : 1000, args.length > 3 ? Integer.parseInt(args[3]) : 100,
                Duration.ofMinutes(2));
        System.out.println(run(options));
    }
}
