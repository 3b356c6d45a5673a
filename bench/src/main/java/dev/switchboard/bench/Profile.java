package dev.switchboard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where Switchboard's CPU goes per relayed event, by layer. Runs the relay workload at 1,000 concurrent streams
 * against one JVM target while a JFR recording (started and stopped with jcmd, so it covers exactly the workload)
 * samples its Java threads. CPU comes from /proc per thread: GC and JIT threads directly, and the Java threads'
 * CPU split over layers in proportion to their execution samples ({@link ProfileLayers}).
 * {@code Profile TARGETS_FILE TARGET_NAME JFR_FILE}; see bench/profile.sh.
 */
public final class Profile {
    private Profile() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("Usage: Profile TARGETS_FILE TARGET_NAME JFR_FILE");
            System.exit(2);
        }
        Target target = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank()).map(Target::parse)
                .filter(t -> t.name().equals(args[1])).findFirst().orElseThrow();
        Path recording = Path.of(args[2]).toAbsolutePath();
        Bench.log(target, "warming up");
        RelayWorkload.run(target, 1_000);
        jcmd(target.pid(), "JFR.start", "name=bench-profile", "settings=profile");
        Map<String, Double> before = ProcessStats.cpuSecondsByThreadName(target.pid());
        RelayWorkload.Figures relay = RelayWorkload.run(target, 1_000);
        Map<String, Double> after = ProcessStats.cpuSecondsByThreadName(target.pid());
        jcmd(target.pid(), "JFR.stop", "name=bench-profile", "filename=" + recording);

        Map<String, Double> cpuByKind = new TreeMap<>();
        after.forEach((name, cpu) -> cpuByKind.merge(ProfileLayers.threadKind(name), cpu - before.getOrDefault(name, 0.0), Double::sum));
        Map<String, Integer> samples = samplesByLayer(recording);
        System.out.println(table(relay, cpuByKind, samples));
    }

    static Map<String, Integer> samplesByLayer(Path recording) throws Exception {
        Map<String, Integer> byLayer = new HashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) continue;
            List<String> classes = event.getStackTrace().getFrames().stream().map(RecordedFrame::getMethod)
                    .map(m -> m.getType().getName()).toList();
            byLayer.merge(ProfileLayers.layerOf(classes), 1, Integer::sum);
        }
        return byLayer;
    }

    static String table(RelayWorkload.Figures relay, Map<String, Double> cpuByKind, Map<String, Integer> samples) {
        long events = relay.load().events();
        double javaCpu = cpuByKind.getOrDefault("Java", 0.0);
        int totalSamples = samples.values().stream().mapToInt(Integer::intValue).sum();
        double totalCpu = cpuByKind.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder md = new StringBuilder();
        md.append(String.format("%,d events relayed, %.2f s of CPU: %.1f µs per event; %,d execution samples.%n%n",
                events, totalCpu, totalCpu * 1e6 / Math.max(1, events), totalSamples));
        md.append("| Layer | share of Java samples | µs per event |\n|---|---:|---:|\n");
        for (String layer : ProfileLayers.ORDER) {
            int n = samples.getOrDefault(layer, 0);
            double share = totalSamples == 0 ? 0 : (double) n / totalSamples;
            md.append(String.format("| %s | %.1f%% | %.2f |%n", layer, share * 100, javaCpu * share * 1e6 / Math.max(1, events)));
        }
        cpuByKind.forEach((kind, cpu) -> {
            if (!kind.equals("Java")) md.append(String.format("| %s (threads' CPU from /proc) | — | %.2f |%n", kind, cpu * 1e6 / Math.max(1, events)));
        });
        md.append(String.format("| **total** | | **%.2f** |%n", totalCpu * 1e6 / Math.max(1, events)));
        return md.toString();
    }

    private static void jcmd(long pid, String... command) throws Exception {
        List<String> line = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
    }
}
