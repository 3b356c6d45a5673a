package dev.switchboard.bench;

/** How many samples, and their 50th and 99th percentiles (nearest rank), in microseconds. */
public record Percentiles(int count, long p50, long p99) {}
