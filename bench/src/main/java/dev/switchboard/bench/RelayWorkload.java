package dev.switchboard.bench;

import java.time.Duration;

/**
 * The reference workload: Chat Completions streams of 50 events 20 ms apart (plus the role and finish
 * events), {@code concurrency} of them open at once for several rounds; each stream is replaced as it ends, and new
 * streams open at the rate old ones end (concurrency per second), a rate the machine sustains. Every token carries
 * the emulator's send time, so per-event latency is measured from the upstream's write to the client's read.
 * CPU is the target's own processes over the whole run, divided by the events relayed.
 */
final class RelayWorkload {
    static final String MODEL = "gpt-4o-mini;tokens=50;delay_ms=20;stamp=1";
    /** How long each concurrency level runs, at scale 1: 15 rounds of one-second streams. */
    static final int ROUNDS = 15;

    /**
     * @param cpuMicrosPerEvent          target CPU per relayed event; TTFB and event latency in microseconds
     * @param generatorCpuMicrosPerEvent the load generator's own CPU per event, to show when it, not the target, is
     *                                   what the two cores are busy with
     */
    record Figures(int concurrency, StreamLoad.Result load, double cpuMicrosPerEvent, double generatorCpuMicrosPerEvent) {
        static final Figures NONE = new Figures(0, StreamLoad.Result.NONE, 0, 0);

        long ttfbP50() {
            return load.ttfb().p50();
        }

        long eventLatencyP50() {
            return load.eventLatency().p50();
        }
    }

    private RelayWorkload() {}

    static Figures run(Target target, int concurrency) throws InterruptedException {
        int streams = concurrency * Bench.scaled(ROUNDS, 3);
        Bench.log(target, "relay: " + streams + " streams of 50 events 20 ms apart, " + concurrency + " at a time");
        long self = ProcessHandle.current().pid();
        double cpuBefore = ProcessStats.cpuSeconds(target.pid());
        double generatorBefore = ProcessStats.cpuSeconds(self);
        StreamLoad.Result load = StreamLoad.run(new StreamLoad.Options(target.baseUrl(), target.apiKey(), target.headers(),
                MODEL, streams, concurrency, concurrency, Duration.ofMinutes(2), Duration.ZERO));
        double cpu = ProcessStats.cpuSeconds(target.pid()) - cpuBefore;
        double generator = ProcessStats.cpuSeconds(self) - generatorBefore;
        long events = Math.max(1, load.events());
        Figures figures = new Figures(concurrency, load, cpu * 1e6 / events, generator * 1e6 / events);
        Bench.log(target, load + String.format(" cpu=%.2fs (%.1f µs per event; load generator %.1f µs)", cpu,
                figures.cpuMicrosPerEvent(), figures.generatorCpuMicrosPerEvent()));
        return figures;
    }
}
