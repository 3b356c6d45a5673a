package dev.switchboard.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the same workload against each target in turn (the upstream directly first, then each proxy in front of
 * it) and writes the report. {@code BenchRunner TARGETS_FILE REPORT_FILE COMMAND}; see bench/run.sh.
 */
public final class BenchRunner {
    static final int LATENCY_STREAMS = Integer.getInteger("bench.latencyStreams", 1_000);
    static final String LATENCY_MODEL = "gpt-4o-mini;tokens=60;delay_ms=100;stamp=1";
    /** Streams open at 500/s: per-event latency is counted once every stream of the latency run is open. */
    static final int LATENCY_RAMP = 500;
    static final int SATURATION_STREAMS = 4_000;
    static final int SATURATION_CONCURRENCY = 200;
    static final String SATURATION_MODEL = "gpt-4o-mini;tokens=50";
    static final int CAPACITY_TARGET = 10_000;
    /**
     * A relay holds two sockets per stream, so a process allowed N open files relays fewer than N/2 streams; the
     * capacity run asks for 10,000 or as many as the machine's limit allows, whichever is fewer.
     */
    static final int OPEN_FILES = Integer.getInteger("bench.openFiles", 1_048_576);
    static final int CAPACITY_STREAMS = Math.min(CAPACITY_TARGET, (OPEN_FILES - 200) / 2);
    static final String CAPACITY_MODEL = "gpt-4o-mini;tokens=10;delay_ms=2000";

    /** Phases to run (for quick comparisons while tuning): latency, saturation, capacity. All by default. */
    static final java.util.Set<String> PHASES = java.util.Set.of(System.getProperty("bench.phases",
            "latency,saturation,capacity").split(","));

    private BenchRunner() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("Usage: BenchRunner TARGETS_FILE REPORT_FILE COMMAND");
            System.exit(2);
        }
        List<Target> targets = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank()).map(Target::parse).toList();
        List<TargetFigures> figures = new ArrayList<>();
        for (Target target : targets) figures.add(measure(target));
        String report = Report.markdown(figures, args[2], Runtime.getRuntime().availableProcessors());
        // The soak run writes its own section (bench/soak.sh); a new benchmark keeps it.
        Path page = Path.of(args[1]);
        String old = Files.exists(page) ? Files.readString(page) : "";
        int soak = old.indexOf(SoakMain.BEGIN);
        Files.writeString(page, soak < 0 ? report : report + "\n" + old.substring(soak));
        System.out.println(report);
    }

    static TargetFigures measure(Target target) throws Exception {
        log(target, "warming up");
        run(target, SATURATION_MODEL, 400, 100, 0, Duration.ofMinutes(1));

        StreamLoad.Result skipped = new StreamLoad.Result(0, 0, 0, 0, new Percentiles(0, 0, 0), new Percentiles(0, 0, 0), 0, null);
        StreamLoad.Result latency = skipped;
        if (PHASES.contains("latency")) {
            log(target, "latency: " + LATENCY_STREAMS + " concurrent streams, 10 events/s each for 6 s, stamped");
            latency = run(target, LATENCY_MODEL, LATENCY_STREAMS, LATENCY_STREAMS, LATENCY_RAMP, Duration.ofMinutes(2),
                    Duration.ofMillis(1000L * LATENCY_STREAMS / LATENCY_RAMP + 500));
            log(target, latency.toString());
        }

        StreamLoad.Result saturation = skipped;
        double cpuPer100k = 0;
        if (PHASES.contains("saturation")) {
            log(target, "saturation: " + SATURATION_STREAMS + " streams, " + SATURATION_CONCURRENCY + " at a time, as fast as possible");
            double cpuBefore = ProcessStats.cpuSeconds(target.pid());
            saturation = run(target, SATURATION_MODEL, SATURATION_STREAMS, SATURATION_CONCURRENCY, 0, Duration.ofMinutes(5));
            double cpu = ProcessStats.cpuSeconds(target.pid()) - cpuBefore;
            cpuPer100k = saturation.events() == 0 ? 0 : cpu / saturation.events() * 100_000;
            log(target, saturation + String.format(" cpu=%.2fs (%.3f s per 100k events)", cpu, cpuPer100k));
        }

        HeapSampler heap = new HeapSampler(target.metricsUrl());
        StreamLoad.Result capacity = skipped;
        try (heap) {
            if (PHASES.contains("capacity")) {
                log(target, "capacity: " + CAPACITY_STREAMS + " concurrent streams held ~20 s each");
                capacity = run(target, CAPACITY_MODEL, CAPACITY_STREAMS, CAPACITY_STREAMS, 1_000, Duration.ofMinutes(3));
                log(target, capacity.toString());
            }
        }
        long rss = ProcessStats.peakRssKib(target.pid()) / 1024;
        return new TargetFigures(target, latency, saturation, cpuPer100k, capacity, rss, heap.peakMib());
    }

    private static StreamLoad.Result run(Target target, String model, int streams, int concurrency, int ramp,
                                         Duration timeout) throws InterruptedException {
        return run(target, model, streams, concurrency, ramp, timeout, Duration.ZERO);
    }

    private static StreamLoad.Result run(Target target, String model, int streams, int concurrency, int ramp,
                                         Duration timeout, Duration latencyAfter) throws InterruptedException {
        return StreamLoad.run(new StreamLoad.Options(target.baseUrl(), target.apiKey(), target.headers(), model,
                streams, concurrency, ramp, timeout, latencyAfter));
    }

    private static void log(Target target, String message) {
        System.err.printf("[%s] %s%n", target.name(), message);
    }

    /** Samples {@code jvm_memory_used_bytes{area="heap"}} once a second and keeps the peak. */
    static final class HeapSampler implements AutoCloseable {
        private final AtomicLong peakBytes = new AtomicLong(-1);
        private final Thread thread;
        private volatile boolean running = true;

        HeapSampler(String metricsUrl) {
            thread = metricsUrl == null ? null : Thread.ofVirtual().start(() -> {
                HttpClient http = HttpClient.newHttpClient();
                while (running) {
                    try {
                        String text = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(),
                                HttpResponse.BodyHandlers.ofString()).body();
                        long heap = text.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
                        peakBytes.accumulateAndGet(heap, Math::max);
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (IOException | RuntimeException e) {
                        // a missed sample; the next one counts
                    }
                }
            });
        }

        long peakMib() {
            return peakBytes.get() < 0 ? -1 : peakBytes.get() / (1024 * 1024);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            if (thread != null) {
                thread.interrupt();
                thread.join(2000);
            }
        }
    }
}
