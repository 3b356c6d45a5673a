package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.StandInOpenAi;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A gateway in its own JVM with a 128 MiB heap forwards an upload of 512 MiB (a multipart form, its fields checked as
 * they pass) and a download of 1 GiB: several times its heap each way, so either fails with an OutOfMemoryError if the
 * gateway held a body. The heap's peak, sampled from {@code /metrics} while the bodies pass, is printed. The upstream
 * is {@link StandInOpenAi}, a stand-in for OpenAI: no emulator produces or takes a gigabyte without holding it.
 */
class StreamedBodiesProcessTest {
    private static final long HEAP = 128L * 1024 * 1024;
    private static final long UPLOAD = 512L * 1024 * 1024;
    private static final long DOWNLOAD = 1024L * 1024 * 1024;
    private static final String BOUNDARY = "bigUploadBoundary4f1c";
    private static final Pattern HEAP_USED = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",[^}]*} ([0-9.eE+]+)");

    @Test
    void anUploadAndADownloadSeveralTimesTheHeapPassWithoutBeingHeld() throws Exception {
        try (StandInOpenAi openAi = StandInOpenAi.start();
             TestGateway peer = TestGateway.start(Map.of("OPENAI_BASE_URL", openAi.baseUrl()));
             GatewayProcess gateway = GatewayProcess.start(peer, Map.of("OPENAI_BASE_URL", openAi.baseUrl(),
                     "JAVA_TOOL_OPTIONS", "-Xmx" + HEAP / (1024 * 1024) + "m"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicLong peak = new AtomicLong();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(heapUsed(http, gateway), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                    + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
                    + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
            long length = head.length + UPLOAD + tail.length;
            HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(gateway.url("/v1/stand_in/upload")))
                    .header("Authorization", "Bearer " + peer.clientKey)
                    .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new GeneratedForm(head, UPLOAD, tail)), length)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(uploaded.body()).path("bytes").asLong()).isEqualTo(length);
            assertThat(openAi.received.getLast().complete()).isTrue();
            long peakAfterUpload = peak.get();

            HttpResponse<InputStream> download = http.send(HttpRequest.newBuilder(
                    URI.create(gateway.url("/v1/stand_in/download?bytes=" + DOWNLOAD)))
                    .header("Authorization", "Bearer " + peer.clientKey).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(DOWNLOAD);
            long received = 0;
            try (InputStream in = download.body()) {
                byte[] buffer = new byte[256 * 1024];
                for (int n; (n = in.read(buffer)) >= 0; ) received += n;
            }
            assertThat(received).isEqualTo(DOWNLOAD);
            sampling.set(false);
            sampler.join();
            assertThat(gateway.healthy()).isTrue();
            System.out.printf("[streamed bodies] gateway heap limit %d MiB; peak heap used %d MiB while %d MiB went up "
                            + "(peak %d MiB by then) and %d MiB came down%n", HEAP >> 20, peak.get() >> 20, UPLOAD >> 20,
                    peakAfterUpload >> 20, DOWNLOAD >> 20);
            assertThat(peak.get()).as("heap samples were taken").isPositive().isLessThanOrEqualTo(HEAP);
        }
    }

    /** The heap the gateway uses now, from its Prometheus metrics (all heap pools); 0 when it cannot be read. */
    private static long heapUsed(HttpClient http, GatewayProcess gateway) {
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(gateway.url("/metrics"))).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long used = 0;
            for (Matcher m = HEAP_USED.matcher(metrics); m.find(); ) used += (long) Double.parseDouble(m.group(1));
            return used;
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** A multipart form made as it is read: its head, {@code size} bytes of a pattern, its tail. Nothing is held. */
    private static final class GeneratedForm extends InputStream {
        private final byte[] head;
        private final byte[] tail;
        private final long size;
        private long position;

        GeneratedForm(byte[] head, long size, byte[] tail) {
            this.head = head;
            this.size = size;
            this.tail = tail;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            long total = head.length + size + tail.length;
            if (position >= total) return -1;
            int n = (int) Math.min(length, total - position);
            for (int i = 0; i < n; i++, position++) {
                if (position < head.length) target[offset + i] = head[(int) position];
                else if (position < head.length + size) target[offset + i] = (byte) ('a' + position % 26);
                else target[offset + i] = tail[(int) (position - head.length - size)];
            }
            return n;
        }
    }
}
