package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time and memory of a process and its descendants, read from /proc (Linux). The benchmark takes CPU before
 * and after a workload, so it counts only the work of that workload.
 */
final class ProcessStats {
    /** Clock ticks per second of /proc/PID/stat's utime and stime; 100 on every Linux this project targets. */
    private static final double TICKS = 100.0;

    private ProcessStats() {}

    /** User plus system CPU seconds consumed so far by {@code pid} and its descendants. */
    static double cpuSeconds(long pid) {
        double total = 0;
        for (long p : tree(pid)) total += cpuOf(Path.of("/proc", String.valueOf(p), "stat"));
        return total;
    }

    /** CPU seconds so far of each thread of {@code pid}, summed by thread name (/proc/PID/task/TID/comm). */
    static Map<String, Double> cpuSecondsByThreadName(long pid) {
        Map<String, Double> byName = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    byName.merge(name, cpuOf(task.resolve("stat")), Double::sum);
                } catch (IOException gone) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException gone) {
            // the process ended
        }
        return byName;
    }

    /** Resident memory now (VmRSS) in KiB, summed over {@code pid} and its descendants. */
    static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** Peak resident memory (VmHWM) in KiB, summed over {@code pid} and its descendants. */
    static long peakRssKib(long pid) {
        return statusField(pid, "VmHWM:");
    }

    private static long statusField(long pid, String field) {
        long total = 0;
        for (long p : tree(pid)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p), "status"))) {
                    if (line.startsWith(field)) total += Long.parseLong(line.replaceAll("\\D", ""));
                }
            } catch (IOException | RuntimeException gone) {
                // ended
            }
        }
        return total;
    }

    private static double cpuOf(Path stat) {
        try {
            String text = Files.readString(stat);
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS;
        } catch (IOException | RuntimeException gone) {
            return 0; // the process or thread ended between listing and reading
        }
    }

    static List<Long> tree(long pid) {
        List<Long> all = new ArrayList<>();
        all.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }
}
