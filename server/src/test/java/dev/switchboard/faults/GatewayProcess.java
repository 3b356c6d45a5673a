package dev.switchboard.faults;

import dev.switchboard.Await;
import dev.switchboard.TestDatabase;
import dev.switchboard.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A gateway in a JVM of its own, as {@code ./switchboard serve} runs it, on the test's shared PostgreSQL and
 * talking to a test gateway's emulator, so that it can be sent SIGTERM or SIGKILL. Its output goes to the test's.
 */
final class GatewayProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final Process process;
    final int port;

    private GatewayProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts one and waits until it answers {@code /healthz}. */
    static GatewayProcess start(TestGateway peer, Map<String, String> extraEnv) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.switchboard.Main").redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("SWITCHBOARD_") || name.startsWith("OPENAI_") || name.equals("REDIS_URL"));
        env.put("OPENAI_API_KEY", TestGateway.UPSTREAM_KEY);
        env.put("OPENAI_BASE_URL", peer.emulator.baseUrl());
        env.put("DATABASE_URL", TestDatabase.sharedUrl());
        env.put("OPENAI_STREAMING_ENABLED", "true");
        env.put("SWITCHBOARD_PORT", String.valueOf(port));
        env.putAll(extraEnv);
        Process process = builder.start();
        Thread.ofPlatform().daemon().name("gateway-process-output").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) System.out.println("[instance " + port + "] " + line);
            } catch (IOException ended) {
                // the process is gone
            }
        });
        GatewayProcess started = new GatewayProcess(process, port);
        Await.until(Duration.ofSeconds(60), started::healthy);
        return started;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    boolean healthy() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url("/healthz"))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
