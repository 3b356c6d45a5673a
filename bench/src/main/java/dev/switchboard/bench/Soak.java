package dev.switchboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A soak run: a steady mixed load on a running gateway for a long time (streams, Realtime sessions relayed over
 * WebSockets, admin calls), sampling what must not grow under a steady load: the heap's live data after
 * collection, threads, open files and database connections. The run holds when the last stretch's figures are
 * no higher than the first stretch's, within a margin.
 */
public final class Soak {
    /**
     * @param gateway     the gateway's base URL, without /v1
     * @param pid         the gateway's process id, for its open files
     * @param streams     streaming clients, each streaming one answer after another
     * @param realtime    Realtime clients, each opening a session, holding one text turn, and closing it
     * @param warmUp      how long the gateway takes to reach its steady state, judged from then on: at least its
     *                    stream retention, since finished streams' events are kept in memory that long by design
     */
    public record Options(URI gateway, String clientKey, String adminKey, long pid, Duration duration, int streams, int realtime,
                          Duration sampleEvery, Duration warmUp) {}

    /** One sample of the gateway. */
    public record Sample(long seconds, long liveDataBytes, long heapUsedBytes, long threads, long openFiles,
                         long databaseConnections, long requests, long errors) {}

    /** What the run saw. */
    public record Result(List<Sample> samples, Duration warmUp, long streams, long realtimeSessions, long adminCalls,
                         long errors, String firstError) {
        /** The samples after the warm-up (all but the last, should the warm-up take the whole run). */
        List<Sample> steady() {
            List<Sample> steady = samples.stream().filter(s -> s.seconds() >= warmUp.toSeconds()).toList();
            return steady.size() >= 4 ? steady : samples.subList(Math.max(0, samples.size() - 4), samples.size());
        }

        /** The first and last quarter of the steady samples, averaged. */
        Sample early() {
            List<Sample> steady = steady();
            return average(steady.subList(0, Math.max(1, steady.size() / 4)));
        }

        Sample late() {
            List<Sample> steady = steady();
            return average(steady.subList(steady.size() - Math.max(1, steady.size() / 4), steady.size()));
        }

        /**
         * Threads, open files and connections no higher at the end (within 10% and a few); live data (measured at each
         * major collection, so absent until the first) within 25% of its first measure after the warm-up.
         */
        boolean flat() {
            Sample early = early();
            Sample late = late();
            long firstLive = steady().stream().mapToLong(Sample::liveDataBytes).filter(bytes -> bytes > 0).findFirst().orElse(0);
            return late.threads() <= early.threads() * 1.1 + 10
                    && late.openFiles() <= early.openFiles() * 1.1 + 20
                    && late.databaseConnections() <= Math.max(early.databaseConnections(), 1) * 1.1 + 2
                    && (firstLive == 0 || late.liveDataBytes() <= firstLive * 1.25 + 8 * 1024 * 1024);
        }

        private static Sample average(List<Sample> some) {
            int n = some.size();
            return new Sample(some.getLast().seconds(), some.stream().mapToLong(Sample::liveDataBytes).sum() / n,
                    some.stream().mapToLong(Sample::heapUsedBytes).sum() / n, some.stream().mapToLong(Sample::threads).sum() / n,
                    some.stream().mapToLong(Sample::openFiles).sum() / n, some.stream().mapToLong(Sample::databaseConnections).sum() / n,
                    some.getLast().requests(), some.getLast().errors());
        }
    }

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong streams = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong adminCalls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String firstError;

    private Soak(Options options) {
        this.options = options;
    }

    public static Result run(Options options, java.util.function.Consumer<Sample> progress) throws InterruptedException {
        return new Soak(options).run(progress);
    }

    private Result run(java.util.function.Consumer<Sample> progress) throws InterruptedException {
        List<Sample> samples = new ArrayList<>();
        long started = System.nanoTime();
        try (ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < options.streams(); i++) load.submit(() -> repeat(this::stream));
            for (int i = 0; i < options.realtime(); i++) load.submit(() -> repeat(this::realtimeTurn));
            load.submit(() -> repeat(this::adminCalls));
            long end = started + options.duration().toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(options.sampleEvery().toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                Sample sample = sample((System.nanoTime() - started) / 1_000_000_000);
                samples.add(sample);
                progress.accept(sample);
            }
            running.set(false);
            load.shutdown();
            load.awaitTermination(2, TimeUnit.MINUTES);
        }
        return new Result(samples, options.warmUp(), streams.get(), sessions.get(), adminCalls.get(), errors.get(), firstError);
    }

    private void repeat(Step step) {
        while (running.get()) {
            try {
                step.run();
            } catch (Exception e) {
                errors.incrementAndGet();
                if (firstError == null) firstError = e.toString();
                pause(500);
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** One streamed answer of about two seconds, read to its end. */
    private void stream() throws Exception {
        HttpResponse<InputStream> response = http.send(request("/v1/chat/completions", options.clientKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini;tokens=40;delay_ms=50\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"soak\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            byte[] all = body.readAllBytes();
            if (response.statusCode() != 200 || !new String(all).contains("[DONE]")) throw new IOException("stream ended badly: HTTP " + response.statusCode());
        }
        streams.incrementAndGet();
    }

    /** A Realtime session relayed over a WebSocket: one text turn, then closed. */
    private void realtimeTurn() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + options.clientKey())
                .buildAsync(URI.create(options.gateway().toString().replaceFirst("^http", "ws") + "/v1/realtime?model=gpt-realtime"),
                        new WebSocket.Listener() {
                            private final StringBuilder text = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                text.append(data);
                                if (last) {
                                    if (text.indexOf("\"type\":\"response.done\"") >= 0) done.complete(null);
                                    text.setLength(0);
                                }
                                webSocket.request(1);
                                return null;
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                                closed.complete(statusCode);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"soak test turn\"}]}}", true).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}", true).get(10, TimeUnit.SECONDS);
        done.get(30, TimeUnit.SECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        closed.get(10, TimeUnit.SECONDS);
        sessions.incrementAndGet();
        pause(1000);
    }

    /** What an administrator's page does, once a second. */
    private void adminCalls() throws Exception {
        for (String path : List.of("/api/admin/requests?limit=20", "/api/admin/streams", "/api/admin/usage", "/metrics")) {
            HttpResponse<String> response = http.send(request(path, options.adminKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IOException(path + " answered HTTP " + response.statusCode());
            adminCalls.incrementAndGet();
        }
        pause(1000);
    }

    private Sample sample(long seconds) {
        String metrics;
        try {
            metrics = http.send(request("/metrics", options.adminKey()).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            metrics = "";
        }
        return new Sample(seconds, sum(metrics, "jvm_gc_live_data_size_bytes", ""), sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""),
                sum(metrics, "jvm_threads_live_threads", ""), openFiles(), sum(metrics, "switchboard_database_connections", ""),
                streams.get() + sessions.get() + adminCalls.get(), errors.get());
    }

    private long openFiles() {
        try (Stream<Path> files = Files.list(Path.of("/proc", String.valueOf(options.pid()), "fd"))) {
            return files.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The sum of a Prometheus metric's samples whose labels contain {@code labels} (every sample when empty). */
    static long sum(String metrics, String name, String labels) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+([0-9.eE+-]+)$").matcher(metrics);
        double total = 0;
        while (matcher.find()) {
            String found = matcher.group(1) == null ? "" : matcher.group(1);
            if (found.contains(labels)) total += Double.parseDouble(matcher.group(2));
        }
        return (long) total;
    }

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(options.gateway().resolve(path)).header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(2));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
