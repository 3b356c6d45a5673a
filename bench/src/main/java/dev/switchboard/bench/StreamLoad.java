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
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens many concurrent Chat Completions streams against an OpenAI-compatible base URL and measures them: time to
 * first byte, per-event latency (when the emulator stamps each token with its send time), events, failures and
 * the peak number of streams open at once. One virtual thread per stream; every stream is bounded by a timeout,
 * so a run always ends.
 */
public final class StreamLoad {
    /**
     * @param baseUrl       the API base ending in /v1
     * @param apiKey        the bearer key
     * @param headers       extra request headers (a gateway's routing headers)
     * @param model         the model, which may carry emulator directives ({@code gpt-4o-mini;tokens=50;delay_ms=20})
     * @param streams       how many streams in all
     * @param concurrency   how many at once
     * @param rampPerSecond how many new streams may start per second (0: no limit)
     * @param timeout       the longest one stream may take
     * @param latencyAfter  count per-event latency only for events received this long after the run began (so
     *                      that it measures streams that are open, not the cost of opening them)
     */
    public record Options(String baseUrl, String apiKey, Map<String, String> headers, String model, int streams,
                          int concurrency, int rampPerSecond, Duration timeout, Duration latencyAfter) {
        public Options(String baseUrl, String apiKey, String model, int streams, int concurrency, Duration timeout) {
            this(baseUrl, apiKey, Map.of(), model, streams, concurrency, 0, timeout, Duration.ZERO);
        }
    }

    /** What a run measured. Latencies in microseconds. */
    public record Result(int streams, int failed, long events, double seconds, Percentiles ttfb, Percentiles eventLatency,
                         int peakOpen, String firstFailure) {
        public double eventsPerSecond() {
            return seconds == 0 ? 0 : events / seconds;
        }

        @Override
        public String toString() {
            return String.format("streams=%d failed=%d events=%d time=%.2fs events/s=%.0f ttfb p50=%.2fms p99=%.2fms "
                            + "event latency p50=%.3fms p99=%.3fms peak open=%d%s", streams, failed, events, seconds,
                    eventsPerSecond(), ttfb.p50() / 1000.0, ttfb.p99() / 1000.0, eventLatency.p50() / 1000.0,
                    eventLatency.p99() / 1000.0, peakOpen, firstFailure == null ? "" : " first failure: " + firstFailure);
        }
    }

    private StreamLoad() {}

    public static Result run(Options options) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        String body = "{\"model\":\"" + options.model() + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"benchmark\"}]}";
        Samples ttfb = new Samples(options.streams());
        Samples latency = new Samples(options.streams() * 16);
        AtomicLong events = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peakOpen = new AtomicInteger();
        String[] firstFailure = new String[1];
        Semaphore slots = new Semaphore(options.concurrency());
        long start = System.nanoTime();
        long rampNanos = options.rampPerSecond() <= 0 ? 0 : 1_000_000_000L / options.rampPerSecond();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < options.streams(); i++) {
                slots.acquire();
                if (rampNanos > 0) {
                    long due = start + i * rampNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                executor.submit(() -> {
                    try {
                        String failure = oneStream(http, options, body, ttfb, latency, events, open, peakOpen,
                                start + options.latencyAfter().toNanos());
                        if (failure != null) {
                            if (failed.incrementAndGet() == 1) firstFailure[0] = failure;
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        http.shutdownNow();
        return new Result(options.streams(), failed.get(), events.get(), seconds, ttfb.percentiles(),
                latency.percentiles(), peakOpen.get(), firstFailure[0]);
    }

    /** Runs one stream; returns null on success, else what went wrong. */
    private static String oneStream(HttpClient http, Options options, String body, Samples ttfb, Samples latency,
                                    AtomicLong events, AtomicInteger open, AtomicInteger peakOpen, long latencyFrom) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(options.baseUrl() + "/chat/completions"))
                .timeout(options.timeout())
                .header("Authorization", "Bearer " + options.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        options.headers().forEach(request::header);
        long sent = System.nanoTime();
        boolean counted = false;
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                try (InputStream in = response.body()) {
                    return "HTTP " + response.statusCode() + ": " + new String(in.readNBytes(300), StandardCharsets.UTF_8);
                }
            }
            peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            counted = true;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                boolean first = true;
                for (String line; (line = reader.readLine()) != null; ) {
                    if (!line.startsWith("data: ")) continue;
                    if (first) {
                        ttfb.add((System.nanoTime() - sent) / 1000);
                        first = false;
                    }
                    if (line.equals("data: [DONE]")) {
                        // Read to the end, as SDKs do, so that the connection is reused for the next stream.
                        while (reader.readLine() != null) { }
                        return null;
                    }
                    long stamp = stampOf(line);
                    if (stamp > 0 && System.nanoTime() >= latencyFrom) latency.add(nowMicros() - stamp);
                    events.incrementAndGet();
                }
                return "the stream ended without [DONE]";
            }
        } catch (Exception e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } finally {
            if (counted) open.decrementAndGet();
        }
    }

    /** The microsecond stamp the emulator put in a token ({@code "content":"1763700000123456 "}), or -1. */
    static long stampOf(String line) {
        int at = line.indexOf("\"content\":\"");
        if (at < 0) return -1;
        int i = at + 11;
        long n = 0;
        int digits = 0;
        for (; i < line.length() && Character.isDigit(line.charAt(i)); i++, digits++) n = n * 10 + (line.charAt(i) - '0');
        return digits >= 15 ? n : -1;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** {@code StreamLoad BASE_URL KEY [STREAMS] [CONCURRENCY] [MODEL]}: one run, printed. */
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
