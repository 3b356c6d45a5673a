package dev.switchboard.bench;

import java.util.Arrays;

/** Collects measurements from many threads and reports nearest-rank percentiles. */
final class Samples {
    private long[] values;
    private int size;

    Samples(int expected) {
        values = new long[Math.max(16, expected)];
    }

    synchronized void add(long value) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = value;
    }

    synchronized Percentiles percentiles() {
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return new Percentiles(size, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
