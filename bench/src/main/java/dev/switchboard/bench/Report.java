package dev.switchboard.bench;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Turns one run's figures into docs/benchmarks.md: every target side by side, then the project's targets checked. */
final class Report {
    private Report() {}

    static String markdown(List<TargetFigures> all, String command, int cores) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Produced by `").append(command).append("` on ").append(LocalDate.now()).append(", on this project's ")
                .append("machine kind (").append(cores).append(" cores). Every figure below comes from that one run; ")
                .append("the upstream in every case is the emulator, and the load generator, the emulator and the ")
                .append("system under test share the same cores.\n\n");
        md.append("Workloads (Chat Completions streams, read by `dev.switchboard.bench.StreamLoad` on virtual threads):\n\n");
        md.append("- **latency**: ").append(String.format("%,d", BenchRunner.LATENCY_STREAMS)).append(" streams opened at ")
                .append(BenchRunner.LATENCY_RAMP).append("/s, each 60 events 100 ms apart. TTFB is measured while they ")
                .append("open; per-event latency once all are open (from the emulator's send time, stamped in every ")
                .append("event, to the client's receipt). \"Added\" is the target's percentile minus the direct one.\n");
        md.append("- **saturation**: ").append(BenchRunner.SATURATION_STREAMS).append(" streams of 52 events, ")
                .append(BenchRunner.SATURATION_CONCURRENCY).append(" at a time, sent as fast as possible. CPU is the ")
                .append("target's own processes (for *direct*, the emulator itself), read from /proc.\n");
        md.append("- **capacity**: ").append(String.format("%,d", BenchRunner.CAPACITY_STREAMS)).append(" streams opened at 1,000/s, each ")
                .append("open ~20 s, so all are open at once.");
        if (BenchRunner.CAPACITY_STREAMS < BenchRunner.CAPACITY_TARGET) {
            md.append(" Not 10,000: this machine allows a process at most ").append(String.format("%,d", BenchRunner.OPEN_FILES))
                    .append(" open files (a hard limit root cannot raise here), and a relay holds two sockets per ")
                    .append("stream, so no single relay process can hold 10,000 streams on it.");
        }
        md.append("\n\n");

        md.append("| | ").append(String.join(" | ", all.stream().map(f -> f.target().name()).toList())).append(" |\n");
        md.append("|---|").append("---|".repeat(all.size())).append("\n");
        TargetFigures direct = find(all, "direct").orElse(all.get(0));
        row(md, all, "TTFB p50 / p99 (ms), opening 1,000 streams", f -> ms(f.latency().ttfb().p50()) + " / " + ms(f.latency().ttfb().p99()));
        row(md, all, "added TTFB p50 / p99 (ms)", f -> f == direct ? "—"
                : ms(f.latency().ttfb().p50() - direct.latency().ttfb().p50()) + " / " + ms(f.latency().ttfb().p99() - direct.latency().ttfb().p99()));
        row(md, all, "per-event latency p50 / p99 (ms), 1,000 open streams", f -> ms(f.latency().eventLatency().p50()) + " / " + ms(f.latency().eventLatency().p99()));
        row(md, all, "added per-event latency p50 / p99 (ms)", f -> f == direct ? "—"
                : ms(addedLatencyP50(f, direct)) + " / " + ms(addedLatencyP99(f, direct)));
        row(md, all, "events/s at saturation", f -> String.format("%,.0f", f.saturation().eventsPerSecond()));
        row(md, all, "events/s vs direct", f -> String.format("%.2f×", f.saturation().eventsPerSecond() / direct.saturation().eventsPerSecond()));
        row(md, all, "CPU s per 100,000 events", f -> String.format("%.2f", f.cpuPer100k()));
        find(all, "nginx").ifPresent(nginx -> row(md, all, "CPU per event vs nginx",
                f -> String.format("%.2f×", f.cpuPer100k() / nginx.cpuPer100k())));
        row(md, all, "peak RSS (MiB)", f -> String.valueOf(f.peakRssMib()));
        row(md, all, "concurrent streams held (of " + String.format("%,d", BenchRunner.CAPACITY_STREAMS) + ")",
                f -> f.capacity().peakOpen() + (f.capacity().failed() > 0
                ? " (" + f.capacity().failed() + " failed)" : ""));
        row(md, all, "peak heap during capacity (MiB)", f -> f.peakHeapMib() < 0 ? "n/a" : String.valueOf(f.peakHeapMib()));
        row(md, all, "failed streams: latency / saturation / capacity", f -> f.latency().failed() + " / "
                + f.saturation().failed() + " / " + f.capacity().failed());
        md.append("\n");

        List<String> failures = new ArrayList<>();
        all.forEach(f -> {
            for (StreamLoad.Result r : List.of(f.latency(), f.saturation(), f.capacity())) {
                if (r.firstFailure() != null) failures.add("- " + f.target().name() + ": " + r.firstFailure());
            }
        });
        if (!failures.isEmpty()) {
            md.append("First failure seen in each failing run:\n\n").append(String.join("\n", failures.stream().distinct().toList())).append("\n\n");
        }
        find(all, "switchboard").ifPresent(sb -> targets(md, sb, direct, find(all, "nginx"), find(all, "portkey")));
        md.append("\nWhy a target is missed, and what was measured while tuning: [performance.md](performance.md).\n");
        return md.toString();
    }

    private static void targets(StringBuilder md, TargetFigures sb, TargetFigures direct, Optional<TargetFigures> nginx,
                                Optional<TargetFigures> portkey) {
        md.append("## The targets\n\n");
        long addedP99 = addedLatencyP99(sb, direct);
        check(md, addedP99 < 1000, "Added per-event latency p99 under 1 ms at 1,000 concurrent streams",
                "measured " + ms(addedP99) + " ms");
        boolean held = sb.capacity().failed() == 0 && sb.capacity().peakOpen() >= BenchRunner.CAPACITY_TARGET;
        boolean heapOk = sb.peakHeapMib() >= 0 && sb.peakHeapMib() < 1024;
        check(md, held && heapOk, "10,000 concurrent streams held with the heap under 1 GB",
                "held " + sb.capacity().peakOpen() + " with " + sb.capacity().failed() + " failed; peak heap "
                        + (sb.peakHeapMib() < 0 ? "not sampled" : sb.peakHeapMib() + " MiB") + " (Switchboard runs with -Xmx"
                        + System.getProperty("bench.switchboardHeap", "?") + ")");
        nginx.ifPresent(n -> check(md, sb.cpuPer100k() <= 2 * n.cpuPer100k(), "CPU per event within 2× of nginx",
                String.format("%.2f× nginx (%.2f vs %.2f CPU s per 100k events)", sb.cpuPer100k() / n.cpuPer100k(),
                        sb.cpuPer100k(), n.cpuPer100k())));
        portkey.ifPresent(p -> {
            List<String> worse = new ArrayList<>();
            compareLower(worse, "added TTFB p50", sb, p, f -> f.latency().ttfb().p50() - direct.latency().ttfb().p50());
            compareLower(worse, "added TTFB p99", sb, p, f -> f.latency().ttfb().p99() - direct.latency().ttfb().p99());
            compareLower(worse, "added per-event latency p50", sb, p, f -> addedLatencyP50(f, direct));
            compareLower(worse, "added per-event latency p99", sb, p, f -> addedLatencyP99(f, direct));
            compareLower(worse, "CPU per event", sb, p, TargetFigures::cpuPer100k);
            compareLower(worse, "peak RSS", sb, p, f -> f.peakRssMib());
            if (sb.saturation().eventsPerSecond() <= p.saturation().eventsPerSecond()) worse.add("events/s");
            if (sb.capacity().peakOpen() - sb.capacity().failed() < p.capacity().peakOpen() - p.capacity().failed()) {
                worse.add("streams held");
            }
            check(md, worse.isEmpty(), "Better than Portkey on every figure",
                    worse.isEmpty() ? "better on all eight" : "not better on: " + String.join(", ", worse));
        });
    }

    private static void compareLower(List<String> worse, String name, TargetFigures sb, TargetFigures other,
                                     ToDoubleFunction<TargetFigures> figure) {
        if (figure.applyAsDouble(sb) >= figure.applyAsDouble(other)) worse.add(name);
    }

    private static void check(StringBuilder md, boolean met, String target, String detail) {
        md.append("- ").append(met ? "**met**" : "**missed**").append(": ").append(target).append(" — ").append(detail).append(".\n");
    }

    static long addedLatencyP50(TargetFigures f, TargetFigures direct) {
        return f.latency().eventLatency().p50() - direct.latency().eventLatency().p50();
    }

    static long addedLatencyP99(TargetFigures f, TargetFigures direct) {
        return f.latency().eventLatency().p99() - direct.latency().eventLatency().p99();
    }

    private static void row(StringBuilder md, List<TargetFigures> all, String name, Function<TargetFigures, String> cell) {
        md.append("| ").append(name).append(" | ").append(String.join(" | ", all.stream().map(cell).toList())).append(" |\n");
    }

    private static Optional<TargetFigures> find(List<TargetFigures> all, String name) {
        return all.stream().filter(f -> f.target().name().equals(name)).findFirst();
    }

    private static String ms(long micros) {
        return String.format("%.2f", micros / 1000.0);
    }
}
