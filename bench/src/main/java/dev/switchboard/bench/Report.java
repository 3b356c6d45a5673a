package dev.switchboard.bench;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Turns one run's figures into docs/benchmarks.md: every target side by side, then the targets checked. */
final class Report {
    static final long ADDED_P99_BOUND_MICROS = 5_000;

    private Report() {}

    static String markdown(List<TargetFigures> all, long startupMillis, String command, int cores) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Produced by `").append(command).append("` on ").append(LocalDate.now()).append(", on this project's ")
                .append("machine kind (").append(cores).append(" cores)");
        if (Bench.SCALE != 1) md.append(", scaled down with BENCH_SCALE=").append(Bench.SCALE).append(" (a check run, not the figures of record)");
        md.append(". Every figure below comes from that one run; the upstream in every case is the emulator, and the ")
                .append("load generator, the emulator and the system under test share the same cores. *direct* is the ")
                .append("emulator itself; \"added\" is a target's figure minus direct's. CPU is each target's own ")
                .append("processes (for *direct*, the emulator), read from /proc before and after each workload.\n\n");
        md.append("Workloads (load generated on virtual threads by `dev.switchboard.bench`):\n\n");
        md.append("- **relay** (`RelayWorkload`): Chat Completions streams of 50 events 20 ms apart, 100 and then 1,000 ")
                .append("open at once, each replaced as it ends, for ").append(Bench.scaled(RelayWorkload.ROUNDS, 3))
                .append(" rounds; new streams open at the rate old ones end. Per-event latency is from the emulator's ")
                .append("send time (stamped in every token) to the client's read.\n");
        md.append("- **requests** (`RequestSweep`): non-streamed Chat Completions at fixed arrival rates (open loop, ")
                .append(Bench.scaled(RequestSweep.STEP_SECONDS, 1)).append(" s per rate), climbing until a rate is not held.\n");
        md.append("- **open streams** (`HoldWorkload`): ").append(String.format("%,d", BenchRunner.OPEN_STREAMS)).append(" and then ")
                .append(String.format("%,d", BenchRunner.CAPACITY_STREAMS)).append(" streams opened at 1,000/s and held open ")
                .append("together; resident memory and heap sampled every 250 ms.");
        if (BenchRunner.CAPACITY_STREAMS < BenchRunner.CAPACITY_TARGET && Bench.SCALE == 1) {
            md.append(" Not 10,000: this machine allows a process at most ").append(String.format("%,d", BenchRunner.OPEN_FILES))
                    .append(" open files (a hard limit root cannot raise here), and a relay holds two sockets per ")
                    .append("stream, so no single relay process can hold 10,000 streams on it.");
        }
        md.append("\n- **realtime** (`RealtimeWorkload`): ").append(RealtimeWorkload.SESSIONS).append(" WebSocket sessions on ")
                .append("`/v1/realtime?model=").append(RealtimeWorkload.MODEL).append("`, each playing `session.update` / ")
                .append("`session.updated` ping-pong; a round trip is two relayed frames.\n");
        md.append("- **startup**: the gateway jar launched against the already-migrated benchmark database, polled until ")
                .append("it answers its first `/v1/models` request with a client key.\n\n");

        TargetFigures direct = find(all, "direct").orElse(all.get(0));
        Optional<TargetFigures> nginx = find(all, "nginx");
        md.append("| | ").append(String.join(" | ", all.stream().map(f -> f.target().name()).toList())).append(" |\n");
        md.append("|---|").append("---|".repeat(all.size())).append("\n");
        for (int concurrency : List.of(100, 1_000)) {
            Function<TargetFigures, RelayWorkload.Figures> relay = f -> concurrency == 100 ? f.relay100() : f.relay1k();
            String at = " at " + String.format("%,d", concurrency) + " streams";
            row(md, all, "TTFB p50 (ms)" + at, f -> ms(relay.apply(f).ttfbP50()));
            row(md, all, "added TTFB p50 (ms)" + at, f -> added(f, direct, x -> relay.apply(x).ttfbP50()));
            row(md, all, "per-event latency p50 (ms)" + at, f -> ms3(relay.apply(f).eventLatencyP50()));
            row(md, all, "added per-event latency p50 (ms)" + at, f -> f == direct ? "—"
                    : ms3(relay.apply(f).eventLatencyP50() - relay.apply(direct).eventLatencyP50()));
            row(md, all, "CPU per relayed event (µs)" + at, f -> String.format("%.1f", relay.apply(f).cpuMicrosPerEvent()));
            nginx.ifPresent(n -> row(md, all, "CPU per event vs nginx" + at,
                    f -> ratio(relay.apply(f).cpuMicrosPerEvent(), relay.apply(n).cpuMicrosPerEvent())));
            row(md, all, "load generator's CPU per event (µs)" + at, f -> String.format("%.1f", relay.apply(f).generatorCpuMicrosPerEvent()));
            row(md, all, "failed streams" + at, f -> String.valueOf(relay.apply(f).load().failed()));
        }
        row(md, all, "non-streamed: highest rate held with added p99 < 5 ms (req/s)",
                f -> f == direct ? "—" : String.format("%,d", f.requests().highestRateWithin(direct.requests(), ADDED_P99_BOUND_MICROS)));
        row(md, all, "non-streamed: p50 / p99 at " + RequestSweep.CPU_RATE + " req/s (ms)", f -> {
            RequestSweep.Step s = f.requests().at(RequestSweep.CPU_RATE);
            return s == null ? "n/a" : ms(s.latency().p50()) + " / " + ms(s.latency().p99());
        });
        row(md, all, "non-streamed: CPU per request at " + RequestSweep.CPU_RATE + " req/s (µs)",
                f -> f.requests().at(RequestSweep.CPU_RATE) == null ? "n/a" : String.format("%.0f", f.requests().cpuMicrosPerRequest()));
        nginx.ifPresent(n -> row(md, all, "non-streamed: CPU per request vs nginx",
                f -> ratio(f.requests().cpuMicrosPerRequest(), n.requests().cpuMicrosPerRequest())));
        row(md, all, "resident memory at " + String.format("%,d", BenchRunner.OPEN_STREAMS) + " open streams (MiB)",
                f -> String.valueOf(f.openStreams1k().peakRssMib()));
        row(md, all, "streams held at once (of " + String.format("%,d", BenchRunner.CAPACITY_STREAMS) + ")",
                f -> f.openStreamsMax().held() + (f.openStreamsMax().load().failed() > 0 ? " (" + f.openStreamsMax().load().failed() + " failed)" : ""));
        row(md, all, "peak heap holding them (MiB)", f -> f.openStreamsMax().peakHeapMib() < 0 ? "n/a" : String.valueOf(f.openStreamsMax().peakHeapMib()));
        row(md, all, "resident memory holding them (MiB)", f -> String.valueOf(f.openStreamsMax().peakRssMib()));
        row(md, all, "Realtime: round trip p50 (ms)", f -> f.realtime().ran() ? ms3(f.realtime().roundTrip().p50()) : "n/a");
        row(md, all, "Realtime: added latency per frame p50 (ms)", f -> f == direct || !f.realtime().ran() || !direct.realtime().ran()
                ? (f.realtime().ran() ? "—" : "n/a")
                : ms3((f.realtime().roundTrip().p50() - direct.realtime().roundTrip().p50()) / 2));
        row(md, all, "Realtime: CPU per relayed frame (µs)", f -> f.realtime().ran() ? String.format("%.1f", f.realtime().cpuMicrosPerFrame()) : "n/a");
        md.append("\n");

        List<String> failures = new ArrayList<>();
        for (TargetFigures f : all) {
            for (StreamLoad.Result r : List.of(f.openStreams1k().load(), f.relay100().load(), f.relay1k().load(), f.openStreamsMax().load())) {
                if (r.firstFailure() != null) failures.add("- " + f.target().name() + ": " + r.firstFailure());
            }
            if (!f.realtime().ran() && f.realtime() != RealtimeWorkload.Figures.NONE) {
                failures.add("- " + f.target().name() + " (Realtime): " + f.realtime().failure());
            }
        }
        if (!failures.isEmpty()) {
            md.append("First failure seen in each failing workload:\n\n").append(String.join("\n", failures.stream().distinct().toList())).append("\n\n");
        }
        find(all, "switchboard").ifPresent(sb -> targets(md, sb, direct, nginx, find(all, "portkey"), startupMillis));
        md.append("\nWhy a target is missed, and where the CPU goes: [performance.md](performance.md).\n");
        return md.toString();
    }

    private static void targets(StringBuilder md, TargetFigures sb, TargetFigures direct, Optional<TargetFigures> nginx,
                                Optional<TargetFigures> portkey, long startupMillis) {
        md.append("## The targets\n\n");
        for (int concurrency : List.of(100, 1_000)) {
            ToDoubleFunction<TargetFigures> cpu = f -> (concurrency == 100 ? f.relay100() : f.relay1k()).cpuMicrosPerEvent();
            String at = " at " + String.format("%,d", concurrency) + " concurrent streams";
            nginx.ifPresent(n -> check(md, cpu.applyAsDouble(sb) <= 2 * cpu.applyAsDouble(n), "CPU per relayed event within 2× of nginx" + at,
                    String.format("%s nginx (%.1f vs %.1f µs)", ratio(cpu.applyAsDouble(sb), cpu.applyAsDouble(n)), cpu.applyAsDouble(sb), cpu.applyAsDouble(n))));
            portkey.ifPresent(p -> check(md, cpu.applyAsDouble(sb) * 3 <= cpu.applyAsDouble(p), "CPU per relayed event at most a third of Portkey's" + at,
                    String.format("%s Portkey (%.1f vs %.1f µs)", ratio(cpu.applyAsDouble(sb), cpu.applyAsDouble(p)), cpu.applyAsDouble(sb), cpu.applyAsDouble(p))));
        }
        nginx.ifPresent(n -> {
            long sbAdded = sb.relay100().eventLatencyP50() - direct.relay100().eventLatencyP50();
            long nginxAdded = n.relay100().eventLatencyP50() - direct.relay100().eventLatencyP50();
            check(md, sbAdded - nginxAdded <= 200, "Added per-event latency p50 within 0.2 ms of nginx's at 100 streams",
                    "Switchboard adds " + ms3(sbAdded) + " ms, nginx " + ms3(nginxAdded) + " ms: " + ms3(sbAdded - nginxAdded) + " ms more");
        });
        long addedTtfb = sb.relay100().ttfbP50() - direct.relay100().ttfbP50();
        check(md, addedTtfb < 2_000, "Added time to first byte p50 under 2 ms at 100 streams", "measured " + ms(addedTtfb) + " ms");
        check(md, sb.openStreams1k().peakRssMib() >= 0 && sb.openStreams1k().peakRssMib() < 200,
                "Resident memory at 1,000 open streams under 200 MB", "measured " + sb.openStreams1k().peakRssMib() + " MiB");
        HoldWorkload.Figures max = sb.openStreamsMax();
        boolean heldAll = max.load().failed() == 0 && max.held() >= max.asked();
        boolean heapOk = max.peakHeapMib() >= 0 && max.peakHeapMib() < 512;
        check(md, heldAll && heapOk && max.asked() >= Math.min(BenchRunner.CAPACITY_TARGET, (BenchRunner.OPEN_FILES - 200) / 2),
                String.format("%,d concurrent streams held with the heap under 512 MB", max.asked()),
                "held " + max.held() + " with " + max.load().failed() + " failed; peak heap "
                        + (max.peakHeapMib() < 0 ? "not sampled" : max.peakHeapMib() + " MiB") + " (Switchboard runs with -Xmx"
                        + System.getProperty("bench.switchboardHeap", "?") + ")"
                        + ((BenchRunner.OPEN_FILES - 200) / 2 < BenchRunner.CAPACITY_TARGET ? "; " + String.format("%,d", BenchRunner.CAPACITY_TARGET) + " is past this machine's "
                        + String.format("%,d", BenchRunner.OPEN_FILES) + " open files per process at two sockets per stream" : ""));
        check(md, startupMillis >= 0 && startupMillis < 1_500, "Startup to first served request under 1.5 s with a warm database",
                startupMillis < 0 ? "not measured" : "measured " + startupMillis + " ms");
        md.append("\nReported against nginx, with no target set: non-streamed requests per second held with added p99 under 5 ms ");
        nginx.ifPresent(n -> md.append(String.format("(Switchboard %,d, nginx %,d), CPU per request (%s nginx)",
                sb.requests().highestRateWithin(direct.requests(), ADDED_P99_BOUND_MICROS),
                n.requests().highestRateWithin(direct.requests(), ADDED_P99_BOUND_MICROS),
                ratio(sb.requests().cpuMicrosPerRequest(), n.requests().cpuMicrosPerRequest()))));
        md.append("; and the Realtime figures above.\n");
    }

    private static void check(StringBuilder md, boolean met, String target, String detail) {
        md.append("- ").append(met ? "**met**" : "**missed**").append(": ").append(target).append(" — ").append(detail).append(".\n");
    }

    private static String added(TargetFigures f, TargetFigures direct, ToDoubleFunction<TargetFigures> figure) {
        return f == direct ? "—" : ms((long) (figure.applyAsDouble(f) - figure.applyAsDouble(direct)));
    }

    private static String ratio(double value, double reference) {
        return reference <= 0 ? "n/a" : String.format("%.2f×", value / reference);
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

    private static String ms3(long micros) {
        return String.format("%.3f", micros / 1000.0);
    }
}
