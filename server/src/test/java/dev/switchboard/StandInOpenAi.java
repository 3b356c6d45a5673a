package dev.switchboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for OpenAI, for the few upstream behaviours the emulator cannot give: an event stream on a path OpenAI
 * has not released, answers of a size no emulator holds (a gigabyte, produced as it is sent), and a record of how much
 * of a request body arrived and whether it arrived whole. Everything else is tested against the emulator.
 *
 * <p>Paths: {@code GET /v1/models} (for the gateway's start-up check); a route registered with {@link #json}
 * ({@code "METHOD /v1/path"}, or {@code "/v1/path"} for any method) answers its JSON; {@code /v1/stand_in/sse?events=NAME} answers the registered events, then closes;
 * {@code /v1/stand_in/download?bytes=N} sends N bytes; {@code /v1/stand_in/upload} (and any other path) reads the
 * whole body and answers how many bytes came, recording each body's size and whether it ended normally.
 */
public final class StandInOpenAi implements AutoCloseable {
    /** An entry of {@link #events} written as it is, unframed. */
    public static final String RAW = "raw:";

    /** One body that reached the stand-in: its size, whether it ended normally, and its last bytes. */
    public record Received(String path, long bytes, boolean complete, String tail) {}

    private final HttpServer server;
    private final Map<String, String> json = new ConcurrentHashMap<>();
    private final Map<String, List<String>> events = new ConcurrentHashMap<>();
    public final List<Received> received = new CopyOnWriteArrayList<>();

    private StandInOpenAi(HttpServer server) {
        this.server = server;
    }

    public static StandInOpenAi start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            StandInOpenAi standIn = new StandInOpenAi(server);
            server.createContext("/", standIn::handle);
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** {@code route} is {@code "/v1/path"} for any method, or {@code "GET /v1/path"} for one. */
    public StandInOpenAi json(String route, String body) {
        json.put(route, body);
        return this;
    }

    /** Events as their data lines' JSON, each sent as {@code event: <type>} and {@code data: <json>}. */
    public StandInOpenAi events(String name, List<String> data) {
        events.put(name, data);
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void respond(HttpExchange exchange) throws IOException, InterruptedException {
        {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery() == null ? "" : exchange.getRequestURI().getQuery();
            Received body = drain(path, exchange.getRequestBody());
            if (!body.complete()) return;
            if (path.equals("/v1/models")) {
                send(exchange, 200, "application/json", "{\"object\":\"list\",\"data\":[]}");
            } else if (json.containsKey(exchange.getRequestMethod() + " " + path)) {
                send(exchange, 200, "application/json", json.get(exchange.getRequestMethod() + " " + path));
            } else if (json.containsKey(path)) {
                send(exchange, 200, "application/json", json.get(path));
            } else if (path.equals("/v1/stand_in/sse")) {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                for (String data : events.get(param(query, "events"))) {
                    if (data.startsWith(RAW)) {
                        // Bytes as they are: an event cut off by the close that follows.
                        out.write(data.substring(RAW.length()).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        continue;
                    }
                    String type = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(data).path("type").asText();
                    out.write(("event: " + type + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } else if (path.equals("/v1/stand_in/download")) {
                long size = Long.parseLong(param(query, "bytes"));
                // With cut=N: announces the whole size, sends N bytes, and closes the connection.
                long cut = param(query, "cut") == null ? size : Long.parseLong(param(query, "cut"));
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, size);
                OutputStream out = exchange.getResponseBody();
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) i;
                for (long left = cut; left > 0; ) {
                    int n = (int) Math.min(chunk.length, left);
                    out.write(chunk, 0, n);
                    left -= n;
                }
                if (cut < size) {
                    out.flush();
                    Thread.sleep(200);
                    throw new IOException("cut on purpose");
                }
            } else {
                send(exchange, 200, "application/json", "{\"object\":\"stand_in.upload\",\"bytes\":" + body.bytes() + "}");
            }
        }
    }

    /** Reads the whole body, keeping only its size and last bytes; records it once it ended, normally or not. */
    private Received drain(String path, InputStream in) {
        long bytes = 0;
        byte[] buffer = new byte[64 * 1024];
        byte[] tail = new byte[0];
        boolean complete = true;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes += n;
                byte[] joined = new byte[Math.min(200, tail.length + n)];
                int fromTail = Math.max(0, joined.length - n);
                System.arraycopy(tail, tail.length - fromTail, joined, 0, fromTail);
                System.arraycopy(buffer, n - (joined.length - fromTail), joined, fromTail, joined.length - fromTail);
                tail = joined;
            }
        } catch (IOException broken) {
            complete = false;
        }
        Received received = new Received(path, bytes, complete, new String(tail, StandardCharsets.ISO_8859_1));
        if (!path.equals("/v1/models")) this.received.add(received);
        return received;
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String param(String query, String name) {
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) return pair.substring(name.length() + 1);
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
