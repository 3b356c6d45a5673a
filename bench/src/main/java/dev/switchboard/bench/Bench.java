package dev.switchboard.bench;

/** Settings shared by every workload. */
final class Bench {
    /**
     * BENCH_SCALE (system property {@code bench.scale}, default 1): multiplies every workload's duration and the
     * size of the capacity run, so that a short run (0.2) checks the benchmark end to end in a couple of minutes.
     * Concurrency (100 and 1,000 streams) is never scaled: it is what the figures are about.
     */
    static final double SCALE = Double.parseDouble(System.getProperty("bench.scale", "1"));

    private Bench() {}

    /** {@code n} scaled, at least {@code min}. */
    static int scaled(int n, int min) {
        return Math.max(min, (int) Math.round(n * SCALE));
    }

    static void log(Target target, String message) {
        System.err.printf("[%s] %s%n", target.name(), message);
    }
}
