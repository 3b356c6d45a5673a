package dev.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing to benchmark: a base URL, what to send to it, and the process whose CPU and memory are its cost.
 *
 * @param metricsUrl a Prometheus endpoint to sample the JVM heap from, or null
 */
record Target(String name, String baseUrl, String apiKey, Map<String, String> headers, long pid, String metricsUrl) {

    /** {@code name|baseUrl|apiKey|pid|Header=value;Header=value|metricsUrl} (the last two may be empty). */
    static Target parse(String line) {
        String[] parts = line.split("\\|", -1);
        Map<String, String> headers = new LinkedHashMap<>();
        if (parts.length > 4 && !parts[4].isBlank()) {
            for (String header : parts[4].split(";")) {
                int eq = header.indexOf('=');
                headers.put(header.substring(0, eq), header.substring(eq + 1));
            }
        }
        String metrics = parts.length > 5 && !parts[5].isBlank() ? parts[5] : null;
        return new Target(parts[0], parts[1], parts[2], headers, Long.parseLong(parts[3]), metrics);
    }
}
