package dev.switchboard.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Non-streamed Chat Completions at fixed arrival rates (open loop: a request is sent when it is due, whether or not
 * earlier ones have been answered, and its latency counts from when it was due, so a slow target cannot slow the
 * load down and hide its queueing). The sweep climbs through {@link #RATES} and stops after the first rate the
 * target cannot hold: more than 1% of requests failed or dropped, or p99 over {@link #GIVE_UP_P99_MICROS}.
 * CPU per request is the target's own processes at {@link #CPU_RATE}, the first rate, which every target runs.
 */
final class RequestSweep {
    static final int[] RATES = {250, 500, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000};
    static final int CPU_RATE = RATES[0];
    static final String MODEL = "gpt-4o-mini;tokens=20";
    static final int STEP_SECONDS = 4;
    static final long GIVE_UP_P99_MICROS = 50_000;
    /** Requests in flight beyond this are dropped (and counted as failed) rather than opening ever more sockets. */
    static final int MAX_IN_FLIGHT = 1_000;

    /** One rate held for a few seconds; latency in microseconds. */
    record Step(int rate, int requests, int failed, Percentiles latency, double cpuMicrosPerRequest) {
        boolean held() {
            return failed * 100 <= requests && latency.p99() <= GIVE_UP_P99_MICROS;
        }
    }

    record Figures(List<Step> steps) {
        static final Figures NONE = new Figures(List.of());

        Step at(int rate) {
            return steps.stream().filter(s -> s.rate() == rate).findFirst().orElse(null);
        }

        /**
         * The highest rate whose p99 stays within {@code boundMicros} of the reference's p99 at the same rate (the
         * upstream's own latency), or 0.
         */
        int highestRateWithin(Figures reference, long boundMicros) {
            int best = 0;
            for (Step step : steps) {
                Step ref = reference.at(step.rate());
                long base = ref == null || !ref.held() ? 0 : ref.latency().p99();
                if (!step.held() || step.latency().p99() - base > boundMicros) break;
                best = step.rate();
            }
            return best;
        }

        double cpuMicrosPerRequest() {
            Step step = at(CPU_RATE);
            return step == null ? 0 : step.cpuMicrosPerRequest();
        }
    }

    private RequestSweep() {}

    static Figures run(Target target) throws InterruptedException {
        // Not counted: the first requests of this kind warm the target's code paths and connection pools.
        step(target, RATES[0], Bench.scaled(STEP_SECONDS, 1));
        List<Step> steps = new ArrayList<>();
        for (int rate : RATES) {
            Step step = step(target, rate, Bench.scaled(STEP_SECONDS, 1));
            Bench.log(target, String.format("requests: %d/s, %d sent, %d failed, p50=%.2fms p99=%.2fms, %.0f µs CPU per request",
                    rate, step.requests(), step.failed(), step.latency().p50() / 1000.0, step.latency().p99() / 1000.0,
                    step.cpuMicrosPerRequest()));
            steps.add(step);
            if (!step.held()) break;
        }
        return new Figures(steps);
    }

    static Step step(Target target, int rate, int seconds) throws InterruptedException {
        URI base = URI.create(target.baseUrl());
        String path = base.getPath() + "/chat/completions";
        byte[] body = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"benchmark\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(target.headers());
        headers.put("Authorization", "Bearer " + target.apiKey());
        int total = rate * seconds;
        Samples latency = new Samples(total);
        AtomicInteger failed = new AtomicInteger();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        long interval = 1_000_000_000L / rate;
        double cpuBefore = ProcessStats.cpuSeconds(target.pid());
        long start = System.nanoTime();
        try (PlainHttp http = new PlainHttp(base); var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                for (long wait; (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
                if (!inFlight.tryAcquire()) {
                    failed.incrementAndGet();
                    continue;
                }
                executor.submit(() -> {
                    try {
                        int status;
                        try (PlainHttp.Response response = http.post(path, headers, body, 10_000)) {
                            status = response.status;
                        } // closing reads the whole body: the request is answered once it is read
                        if (status == 200) latency.add((System.nanoTime() - due) / 1000);
                        else failed.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    } finally {
                        inFlight.release();
                    }
                });
            }
        }
        double cpu = ProcessStats.cpuSeconds(target.pid()) - cpuBefore;
        return new Step(rate, total, failed.get(), latency.percentiles(), cpu * 1e6 / total);
    }
}
