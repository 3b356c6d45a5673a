package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and memory of a process and its descendants, read from /proc (Linux). The benchmark takes CPU before
 * and after a phase, so it counts only the work of that phase.
 */
final class ProcessStats {
    /** Clock ticks per second of /proc/PID/stat's utime and stime; 100 on every Linux this project targets. */
    private static final double TICKS = 100.0;

    private ProcessStats() {}

    /** User plus system CPU seconds consumed so far by {@code pid} and its descendants. */
    static double cpuSeconds(long pid) {
        double total = 0;
        for (long p : tree(pid)) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(p), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS;
            } catch (IOException | RuntimeException gone) {
                // the process ended between listing and reading
            }
        }
        return total;
    }

    /** Peak resident memory (VmHWM) in KiB, summed over {@code pid} and its descendants. */
    static long peakRssKib(long pid) {
        long total = 0;
        for (long p : tree(pid)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p), "status"))) {
                    if (line.startsWith("VmHWM:")) total += Long.parseLong(line.replaceAll("\\D", ""));
                }
            } catch (IOException | RuntimeException gone) {
                // ended
            }
        }
        return total;
    }

    static List<Long> tree(long pid) {
        List<Long> all = new ArrayList<>();
        all.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }
}
