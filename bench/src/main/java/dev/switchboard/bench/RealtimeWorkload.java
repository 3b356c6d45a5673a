package dev.switchboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Realtime sessions over a WebSocket ({@code /v1/realtime?model=...}): each session waits for
 * {@code session.created}, then plays ping-pong with {@code session.update} / {@code session.updated}, one round
 * trip at a time. A round trip is two relayed frames, so the added latency per frame is half the added round trip,
 * and CPU per frame is the target's CPU over twice the round trips.
 */
final class RealtimeWorkload {
    static final int SESSIONS = 20;
    static final int ROUND_TRIPS = 250;
    static final String MODEL = "gpt-realtime";
    private static final String UPDATE = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"benchmark\"}}";

    /** @param roundTrip round-trip time per update, microseconds; {@code failure} non-null when it could not run */
    record Figures(long frames, Percentiles roundTrip, double cpuMicrosPerFrame, String failure) {
        static final Figures NONE = new Figures(0, new Percentiles(0, 0, 0), 0, "not run");

        boolean ran() {
            return failure == null;
        }
    }

    private RealtimeWorkload() {}

    static Figures run(Target target) throws InterruptedException {
        // Not counted: warms the target's and the generator's WebSocket code (and finds a target that cannot relay it).
        Figures warmUp = run(target, SESSIONS, 20);
        return warmUp.ran() ? run(target, SESSIONS, Bench.scaled(ROUND_TRIPS, 20)) : warmUp;
    }

    static Figures run(Target target, int sessionCount, int roundTrips) throws InterruptedException {
        Bench.log(target, "realtime: " + sessionCount + " sessions, " + roundTrips + " session.update round trips each");
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        Samples rtt = new Samples(sessionCount * roundTrips);
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger completed = new AtomicInteger();
        double cpuBefore = ProcessStats.cpuSeconds(target.pid());
        try (var sessions = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < sessionCount; s++) {
                sessions.submit(() -> {
                    try {
                        session(http, target, roundTrips, rtt);
                        completed.incrementAndGet();
                    } catch (Exception e) {
                        failure.compareAndSet(null, describe(e));
                    }
                });
            }
        }
        double cpu = ProcessStats.cpuSeconds(target.pid()) - cpuBefore;
        http.shutdownNow();
        Percentiles p = rtt.percentiles();
        long frames = 2L * p.count();
        Figures figures = completed.get() == sessionCount
                ? new Figures(frames, p, frames == 0 ? 0 : cpu * 1e6 / frames, null)
                : new Figures(frames, p, 0, failure.get() == null ? "sessions did not complete" : failure.get());
        Bench.log(target, figures.ran() ? String.format("realtime: %d frames, round trip p50=%.3fms, %.1f µs CPU per frame",
                frames, p.p50() / 1000.0, figures.cpuMicrosPerFrame()) : "realtime failed: " + figures.failure());
        return figures;
    }

    private static void session(HttpClient http, Target target, int roundTrips, Samples rtt) throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        URI uri = URI.create(target.baseUrl().replaceFirst("^http", "ws") + "/realtime?model=" + MODEL);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + target.apiKey());
        target.headers().forEach(builder::header);
        WebSocket socket = builder.buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    received.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                received.add("closed " + statusCode + " " + reason);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                received.add("error " + error);
            }
        }).get(10, TimeUnit.SECONDS);
        try {
            expect(received, "\"session.created\"");
            for (int i = 0; i < roundTrips; i++) {
                long sent = System.nanoTime();
                socket.sendText(UPDATE, true).get(10, TimeUnit.SECONDS);
                expect(received, "\"session.updated\"");
                rtt.add((System.nanoTime() - sent) / 1000);
            }
        } finally {
            CompletableFuture<WebSocket> closing = socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof java.net.http.WebSocketHandshakeException refused) {
            Object body = refused.getResponse().body();
            return "handshake refused with HTTP " + refused.getResponse().statusCode() + (body == null ? "" : ": " + body);
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Skips other events until one containing {@code marker}; fails on close, error or a ten-second silence. */
    private static void expect(LinkedBlockingQueue<String> received, String marker) throws Exception {
        while (true) {
            String frame = received.poll(10, TimeUnit.SECONDS);
            if (frame == null) throw new IllegalStateException("no " + marker + " within 10 s");
            if (frame.startsWith("closed ") || frame.startsWith("error ")) throw new IllegalStateException(frame);
            if (frame.contains(marker)) return;
            if (frame.contains("\"type\":\"error\"")) throw new IllegalStateException(frame.substring(0, Math.min(300, frame.length())));
        }
    }
}
