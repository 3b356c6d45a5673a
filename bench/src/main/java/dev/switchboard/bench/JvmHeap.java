package dev.switchboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Heap in use of a JVM target, read from its Prometheus endpoint ({@code jvm_memory_used_bytes{area="heap"}}). */
final class JvmHeap {
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI metrics;

    JvmHeap(String metricsUrl) {
        this.metrics = URI.create(metricsUrl);
    }

    /** Bytes of heap in use now, or -1 if the endpoint did not answer. */
    long usedBytes() {
        try {
            String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
