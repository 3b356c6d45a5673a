package dev.switchboard.bench;

import java.time.Duration;

/**
 * Many streams held open at once, each sending an event every second, to measure what an open stream costs in
 * memory: resident memory of the target's processes and, for a JVM target, heap in use (both sampled every 250 ms,
 * peak kept). Streams open at 1,000/s and each lasts long enough that all are open together for a few seconds.
 */
final class HoldWorkload {
    static final int OPEN_RATE = 1_000;
    static final int HOLD_SECONDS = 5;

    record Figures(int asked, StreamLoad.Result load, long peakRssMib, long peakHeapMib) {
        static final Figures NONE = new Figures(0, StreamLoad.Result.NONE, -1, -1);

        /** Streams that were open at the same time and ended well. */
        int held() {
            return load.failed() > 0 ? Math.min(load.peakOpen(), load.streams() - load.failed()) : load.peakOpen();
        }
    }

    private HoldWorkload() {}

    static Figures run(Target target, int streams) throws InterruptedException {
        int seconds = (int) Math.ceil((double) streams / OPEN_RATE) + HOLD_SECONDS;
        String model = "gpt-4o-mini;tokens=" + seconds + ";delay_ms=1000";
        Bench.log(target, "hold: " + streams + " streams opened at " + OPEN_RATE + "/s, each open ~" + seconds + " s");
        JvmHeap heap = target.metricsUrl() == null ? null : new JvmHeap(target.metricsUrl());
        StreamLoad.Result load;
        try (PeakSampler rss = new PeakSampler(() -> ProcessStats.rssKib(target.pid()));
             PeakSampler heapUsed = new PeakSampler(() -> heap == null ? -1 : heap.usedBytes())) {
            load = StreamLoad.run(new StreamLoad.Options(target.baseUrl(), target.apiKey(), target.headers(), model,
                    streams, streams, OPEN_RATE, Duration.ofSeconds(seconds + 60), Duration.ZERO));
            Figures figures = new Figures(streams, load, rss.peak() / 1024,
                    heapUsed.peak() < 0 ? -1 : heapUsed.peak() / (1024 * 1024));
            Bench.log(target, load + " peak RSS=" + figures.peakRssMib() + " MiB peak heap=" + figures.peakHeapMib() + " MiB");
            return figures;
        }
    }
}
