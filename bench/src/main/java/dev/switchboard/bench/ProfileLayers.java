package dev.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sorts a CPU sample into the layer of the relay that spent it. A sample's stack is read from its innermost frame
 * outwards, and the first frame that belongs to a known layer names the layer: a socket write inside Jetty's
 * output path is Jetty's, a HashMap lookup inside the stream log is the log's. Frames of the JDK's own collections,
 * NIO and the like belong to no layer, so they count for whichever layer called them.
 */
final class ProfileLayers {
    static final String UPSTREAM = "upstream HTTP client (JDK or Jetty HttpClient)";
    static final String SSE = "SSE parsing (SseReader, SseParser, SseFrame)";
    static final String LOG = "stream log";
    static final String CLIENT_WRITE = "client write and shared I/O (SseWriter, Jetty server, io, util)";
    static final String SERVLET = "servlet / Javalin";
    static final String JSON = "JSON (Jackson)";
    static final String DATABASE = "database and request log";
    static final String SWITCHBOARD = "other Switchboard code (relay loop, auth, routing)";
    static final String SCHEDULING = "virtual-thread scheduling";
    static final String OTHER = "other";

    /** Rules in the order they are tried on each frame; a rule is a prefix of the frame's class name. */
    private static final Map<String, String> RULES = new LinkedHashMap<>();

    static {
        RULES.put("dev.switchboard.stream.SseReader", SSE);
        RULES.put("dev.switchboard.stream.SseParser", SSE);
        RULES.put("dev.switchboard.stream.SseFrame", SSE);
        RULES.put("dev.switchboard.stream.SseWriter", CLIENT_WRITE);
        for (String log : List.of("MemoryEventLog", "RedisEventLog", "RedisLogCursor", "EventLog", "LiveStream", "LoggedEvent",
                "StreamOutbox", "LogFollower")) {
            RULES.put("dev.switchboard.stream." + log, LOG);
        }
        RULES.put("dev.switchboard.upstream.", UPSTREAM);
        RULES.put("jdk.internal.net.http.", UPSTREAM);
        RULES.put("java.net.http.", UPSTREAM);
        RULES.put("org.eclipse.jetty.client.", UPSTREAM);
        RULES.put("dev.switchboard.store.", DATABASE);
        RULES.put("org.postgresql.", DATABASE);
        RULES.put("com.zaxxer.hikari.", DATABASE);
        RULES.put("dev.switchboard.", SWITCHBOARD);
        RULES.put("org.eclipse.jetty.ee10.", SERVLET);
        RULES.put("org.eclipse.jetty.ee11.", SERVLET);
        RULES.put("org.eclipse.jetty.websocket.", SERVLET);
        RULES.put("io.javalin.", SERVLET);
        RULES.put("jakarta.servlet.", SERVLET);
        RULES.put("org.eclipse.jetty.", CLIENT_WRITE);
        RULES.put("com.fasterxml.jackson.", JSON);
        RULES.put("java.util.concurrent.ForkJoin", SCHEDULING);
        RULES.put("java.lang.VirtualThread", SCHEDULING);
        RULES.put("jdk.internal.vm.Continuation", SCHEDULING);
    }

    /** Layers in the order a report lists them. */
    static final List<String> ORDER = List.of(UPSTREAM, SSE, LOG, CLIENT_WRITE, SERVLET, JSON, DATABASE, SWITCHBOARD,
            SCHEDULING, OTHER);

    private ProfileLayers() {}

    /** @param classNames the declaring class of each frame, innermost first */
    static String layerOf(List<String> classNames) {
        for (String className : classNames) {
            for (Map.Entry<String, String> rule : RULES.entrySet()) {
                if (className.startsWith(rule.getKey())) return rule.getValue();
            }
        }
        return OTHER;
    }

    /** What a JVM thread's name (as /proc shows it, cut to 15 characters) says it does: GC, JIT, JVM, or Java code. */
    static String threadKind(String name) {
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("ZWorker") || name.startsWith("ZDriver")
                || name.startsWith("GC ")) {
            return "GC";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) return "JIT compiler";
        if (name.startsWith("VM ") || name.startsWith("JFR ") || name.startsWith("Signal Dispatch") || name.startsWith("Service Thread")
                || name.startsWith("Monitor Deflati") || name.startsWith("Notification Th") || name.startsWith("Attach Listene")) {
            return "JVM (incl. JFR's own threads)";
        }
        return "Java";
    }
}
