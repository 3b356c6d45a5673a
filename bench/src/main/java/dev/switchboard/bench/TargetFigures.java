package dev.switchboard.bench;

/**
 * Everything measured for one target in one run.
 *
 * @param latency       the fixed-rate run: TTFB and per-event latency at 1,000 concurrent streams
 * @param saturation    the as-fast-as-possible run
 * @param cpuPer100k    CPU seconds the target's processes spent per 100,000 events in the saturation run
 * @param capacity      the 10,000-concurrent-streams run
 * @param peakRssMib    peak resident memory of the target's processes over the whole benchmark
 * @param peakHeapMib   peak JVM heap in use during the capacity run, when the target reports it (else -1)
 */
record TargetFigures(Target target, StreamLoad.Result latency, StreamLoad.Result saturation, double cpuPer100k,
                     StreamLoad.Result capacity, long peakRssMib, long peakHeapMib) {}
