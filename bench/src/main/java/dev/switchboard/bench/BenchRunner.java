package dev.switchboard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the same workloads against each target in turn (the upstream directly first, then each proxy in front of
 * it) and writes the report. {@code BenchRunner TARGETS_FILE REPORT_FILE COMMAND}; see bench/run.sh.
 */
public final class BenchRunner {
    static final int CAPACITY_TARGET = 10_000;
    /**
     * A relay holds two sockets per stream, so a process allowed N open files relays fewer than N/2 streams; the
     * capacity run asks for 10,000 or as many as the machine's limit allows, whichever is fewer (both scaled).
     */
    static final int OPEN_FILES = Integer.getInteger("bench.openFiles", 1_048_576);
    static final int CAPACITY_STREAMS = Bench.scaled(Math.min(CAPACITY_TARGET, (OPEN_FILES - 200) / 2), 100);
    static final int OPEN_STREAMS = 1_000;

    /** Workloads to run (for quick comparisons while tuning): all by default. */
    static final List<String> ALL = List.of("open1k", "relay100", "relay1k", "requests", "realtime", "openMax");
    static final Set<String> PHASES = Set.of(System.getProperty("bench.phases", String.join(",", ALL)).split(","));

    private BenchRunner() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("Usage: BenchRunner TARGETS_FILE REPORT_FILE COMMAND");
            System.exit(2);
        }
        List<Target> targets = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank()).map(Target::parse).toList();
        List<TargetFigures> figures = new ArrayList<>();
        for (Target target : targets) figures.add(measure(target));
        long startupMillis = Long.getLong("bench.startupMillis", -1);
        String report = Report.markdown(figures, startupMillis, args[2], Runtime.getRuntime().availableProcessors());
        // The soak run writes its own section (bench/soak.sh); a new benchmark keeps it.
        Path page = Path.of(args[1]);
        String old = Files.exists(page) ? Files.readString(page) : "";
        int soak = old.indexOf(SoakMain.BEGIN);
        Files.writeString(page, soak < 0 ? report : report + "\n" + old.substring(soak));
        System.out.println(report);
    }

    static TargetFigures measure(Target target) throws Exception {
        Bench.log(target, "warming up");
        StreamLoad.run(new StreamLoad.Options(target.baseUrl(), target.apiKey(), target.headers(), "gpt-4o-mini;tokens=50",
                Bench.scaled(1_000, 200), 100, 0, Duration.ofMinutes(1), Duration.ZERO));
        // Memory first: resident memory at 1,000 open streams is meant before the heavier workloads grew the heap.
        HoldWorkload.Figures open1k = PHASES.contains("open1k") ? HoldWorkload.run(target, OPEN_STREAMS) : HoldWorkload.Figures.NONE;
        RelayWorkload.Figures relay100 = PHASES.contains("relay100") ? RelayWorkload.run(target, 100) : RelayWorkload.Figures.NONE;
        RelayWorkload.Figures relay1k = PHASES.contains("relay1k") ? RelayWorkload.run(target, 1_000) : RelayWorkload.Figures.NONE;
        RequestSweep.Figures requests = PHASES.contains("requests") ? RequestSweep.run(target) : RequestSweep.Figures.NONE;
        RealtimeWorkload.Figures realtime = PHASES.contains("realtime") ? RealtimeWorkload.run(target) : RealtimeWorkload.Figures.NONE;
        HoldWorkload.Figures openMax = PHASES.contains("openMax") ? HoldWorkload.run(target, CAPACITY_STREAMS) : HoldWorkload.Figures.NONE;
        return new TargetFigures(target, open1k, relay100, relay1k, requests, realtime, openMax);
    }
}
