package dev.switchboard.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens many concurrent Chat Completions streams against an OpenAI-compatible base URL and measures them: time to
 * first byte, per-event latency (when the emulator stamps each token with its send time), events, failures and
 * the peak number of streams open at once. One virtual thread per stream on plain sockets ({@link PlainHttp}, to
 * keep the generator's own CPU small); every stream is bounded by a timeout, so a run always ends.
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
        /** A workload that was not run. */
        public static final Result NONE = new Result(0, 0, 0, 0, new Percentiles(0, 0, 0), new Percentiles(0, 0, 0), 0, null);

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
        URI base = URI.create(options.baseUrl());
        String path = base.getPath() + "/chat/completions";
        byte[] body = ("{\"model\":\"" + options.model() + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"benchmark\"}]}").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(options.headers());
        headers.put("Authorization", "Bearer " + options.apiKey());
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
        try (PlainHttp http = new PlainHttp(base); var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < options.streams(); i++) {
                slots.acquire();
                if (rampNanos > 0) {
                    long due = start + i * rampNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                executor.submit(() -> {
                    try {
                        String failure = oneStream(http, path, headers, body, (int) options.timeout().toMillis(), ttfb,
                                latency, events, open, peakOpen, start + options.latencyAfter().toNanos());
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
        return new Result(options.streams(), failed.get(), events.get(), seconds, ttfb.percentiles(),
                latency.percentiles(), peakOpen.get(), firstFailure[0]);
    }

    /** Runs one stream; returns null on success, else what went wrong. */
    private static String oneStream(PlainHttp http, String path, Map<String, String> headers, byte[] body, int timeoutMillis,
                                    Samples ttfb, Samples latency, AtomicLong events, AtomicInteger open,
                                    AtomicInteger peakOpen, long latencyFrom) {
        long sent = System.nanoTime();
        boolean counted = false;
        try (PlainHttp.Response response = http.post(path, headers, body, timeoutMillis)) {
            if (response.status != 200) {
                byte[] start = new byte[300];
                int n = Math.max(0, response.read(start));
                return "HTTP " + response.status + ": " + new String(start, 0, n, StandardCharsets.UTF_8);
            }
            peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            counted = true;
            byte[] chunk = new byte[8192];
            byte[] line = new byte[8192];
            int lineLength = 0;
            boolean first = true;
            for (int n; (n = response.read(chunk)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b != '\n') {
                        if (lineLength == line.length) line = Arrays.copyOf(line, line.length * 2);
                        line[lineLength++] = b;
                        continue;
                    }
                    int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                    lineLength = 0;
                    if (!startsWith(line, length, DATA)) continue;
                    if (first) {
                        ttfb.add((System.nanoTime() - sent) / 1000);
                        first = false;
                    }
                    // Read to the end, as SDKs do, so that the connection is reused for the next stream (close does).
                    if (length == DONE.length && startsWith(line, length, DONE)) return null;
                    long stamp = stampOf(line, length);
                    if (stamp > 0 && System.nanoTime() >= latencyFrom) latency.add(nowMicros() - stamp);
                    events.incrementAndGet();
                }
            }
            return "the stream ended without [DONE]";
        } catch (Exception e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } finally {
            if (counted) open.decrementAndGet();
        }
    }

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] line, int length, byte[] prefix) {
        if (length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (line[i] != prefix[i]) return false;
        return true;
    }

    /** The microsecond stamp the emulator put in a token ({@code "content":"1763700000123456 "}), or -1. */
    static long stampOf(byte[] line, int length) {
        outer:
        for (int at = 0; at + CONTENT.length <= length; at++) {
            for (int j = 0; j < CONTENT.length; j++) if (line[at + j] != CONTENT[j]) continue outer;
            long n = 0;
            int digits = 0;
            for (int i = at + CONTENT.length; i < length && line[i] >= '0' && line[i] <= '9'; i++, digits++) {
                n = n * 10 + (line[i] - '0');
            }
            return digits >= 15 ? n : -1;
        }
        return -1;
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
