package dev.switchboard.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;

/**
 * {@code bench/soak.sh}'s driver: runs {@link Soak} against a gateway and writes its figures into the soak section
 * of docs/benchmarks.md (between the soak markers, leaving the rest of the page as it is).
 *
 * <p>Arguments: gateway-url client-key admin-key gateway-pid minutes streams realtime-clients report-file command
 * warm-up-seconds
 */
public final class SoakMain {
    static final String BEGIN = "<!-- soak:begin -->";
    static final String END = "<!-- soak:end -->";

    private SoakMain() {}

    public static void main(String[] args) throws Exception {
        Soak.Options options = new Soak.Options(URI.create(args[0]), args[1], args[2], Long.parseLong(args[3]),
                Duration.ofMinutes(Long.parseLong(args[4])), Integer.parseInt(args[5]), Integer.parseInt(args[6]), Duration.ofSeconds(30),
                Duration.ofSeconds(Long.parseLong(args[9])));
        Soak.Result result = Soak.run(options, sample -> System.err.printf(Locale.ROOT,
                "%5d s  live data %6.1f MiB  heap %6.1f MiB  threads %4d  open files %5d  db connections %3d  done %8d  errors %d%n",
                sample.seconds(), sample.liveDataBytes() / 1048576.0, sample.heapUsedBytes() / 1048576.0, sample.threads(),
                sample.openFiles(), sample.databaseConnections(), sample.requests(), sample.errors()));
        Path report = Path.of(args[7]);
        String page = Files.exists(report) ? Files.readString(report) : "";
        String section = BEGIN + "\n" + markdown(options, result, args[8]) + END;
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        page = begin >= 0 && end > begin ? page.substring(0, begin) + section + page.substring(end + END.length())
                : page + (page.endsWith("\n") || page.isEmpty() ? "" : "\n") + "\n" + section + "\n";
        Files.writeString(report, page);
        System.err.println(result.flat() && result.errors() == 0 ? "Soak held." : "Soak did NOT hold; see " + report);
        System.exit(result.flat() && result.errors() == 0 ? 0 : 1);
    }

    static String markdown(Soak.Options options, Soak.Result result, String command) {
        Soak.Sample early = result.early();
        Soak.Sample late = result.late();
        StringBuilder md = new StringBuilder();
        md.append("## Soak\n\n");
        md.append(String.format(Locale.ROOT, "`%s`, %s: %d minutes of a steady mixed load on one gateway (embedded PostgreSQL, the "
                        + "emulator as upstream): %d clients streaming two-second Chat Completions answers one after another, %d "
                        + "clients opening Realtime WebSocket sessions with one text turn each, and an administrator polling "
                        + "requests, streams, usage and metrics every second. Sampled every 30 s; judged after a warm-up of %d "
                        + "minutes (the stream retention: finished streams' events are kept in memory that long, so the "
                        + "heap fills to its steady size over that time).%n%n", command, LocalDate.now(),
                options.duration().toMinutes(), options.streams(), options.realtime(), options.warmUp().toMinutes()));
        md.append(String.format(Locale.ROOT, "Done: %,d streams, %,d Realtime sessions, %,d admin calls; %d errors%s.%n%n",
                result.streams(), result.realtimeSessions(), result.adminCalls(), result.errors(),
                result.firstError() == null ? "" : " (first: " + result.firstError() + ")"));
        md.append("| | first quarter after the warm-up | last quarter |\n| --- | ---: | ---: |\n");
        md.append(String.format(Locale.ROOT, "| heap live data after the last major GC (MiB; 0 before the first) | %.1f | %.1f |%n",
                early.liveDataBytes() / 1048576.0, late.liveDataBytes() / 1048576.0));
        md.append(String.format(Locale.ROOT, "| heap used (MiB) | %.1f | %.1f |%n", early.heapUsedBytes() / 1048576.0,
                late.heapUsedBytes() / 1048576.0));
        md.append(String.format(Locale.ROOT, "| live threads | %d | %d |%n", early.threads(), late.threads()));
        md.append(String.format(Locale.ROOT, "| open files | %d | %d |%n", early.openFiles(), late.openFiles()));
        md.append(String.format(Locale.ROOT, "| database connections | %d | %d |%n%n", early.databaseConnections(),
                late.databaseConnections()));
        md.append(result.flat() ? "Heap, threads, open files and database connections stayed flat.\n"
                : "**Something grew**: compare the quarters above.\n");
        return md.toString();
    }
}
