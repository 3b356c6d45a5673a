package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The evaluation's way into the gateway: the public API, with a gateway key, as any client uses it. Turns go
 * through {@code POST /api/agent/stream}, so tools and streaming are exercised exactly as users meet them.
 */
final class GatewayClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String key;

    GatewayClient(URI base, String key) {
        this.base = base;
        this.key = key;
    }

    /** Thrown when the gateway refuses a call; {@code status} tells whether another attempt may help. */
    static final class Refused extends IOException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        boolean retryable() {
            return status == 429 || status >= 500;
        }
    }

    String createSession(String name, String model, String instructions, java.util.List<String> tools) throws IOException {
        ObjectNode body = Json.object().put("name", name);
        if (model != null) body.put("model", model);
        if (instructions != null) body.put("instructions", instructions);
        ArrayNode list = body.putArray("tools");
        if (tools != null) tools.forEach(list::add);
        return post("/api/agent/sessions", body).path("id").asText();
    }

    /** Uploads a document; its signed URL. */
    String upload(Path file) throws IOException {
        HttpResponse<String> response = send(request("/api/documents").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)), HttpResponse.BodyHandlers.ofString());
        return json(response).path("url").asText();
    }

    /** One turn of the agent, read to its end. */
    TurnResult turn(String sessionId, JsonNode input, Duration limit) {
        ObjectNode body = Json.object().put("session_id", sessionId);
        body.set("input", input);
        long started = System.nanoTime();
        StringBuilder text = new StringBuilder();
        ArrayNode tools = Json.MAPPER.createArrayNode();
        long firstToken = -1;
        long tokens = 0;
        try {
            HttpResponse<InputStream> response = http.send(request("/api/agent/stream").timeout(limit)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() >= 400) {
                String message;
                try (InputStream in = response.body()) {
                    message = errorMessage(response.statusCode(), new String(in.readAllBytes()));
                }
                return new TurnResult("", tools, 0, -1, millis(started), message, response.statusCode() == 429 || response.statusCode() >= 500);
            }
            try (InputStream in = response.body()) {
                SseReader reader = new SseReader(in);
                for (SseFrame frame; (frame = reader.next()) != null; ) {
                    if (!frame.hasData() || frame.data().equals("[DONE]")) continue;
                    JsonNode data = Json.MAPPER.readTree(frame.data());
                    switch (String.valueOf(frame.event())) {
                        case "text-delta" -> {
                            if (firstToken < 0) firstToken = millis(started);
                            text.append(data.path("delta").asText());
                        }
                        case "tool-call" -> tools.addObject().put("call_id", data.path("call_id").asText())
                                .put("name", data.path("name").asText())
                                .set("arguments", parseArguments(data.path("arguments").asText("{}")));
                        case "tool-result" -> {
                            for (JsonNode call : tools) {
                                if (call.path("call_id").asText().equals(data.path("call_id").asText())) {
                                    ((ObjectNode) call).set(data.has("error") ? "error" : "output", data.has("error") ? data.get("error") : data.get("output"));
                                }
                            }
                        }
                        case "run-completed" -> tokens = data.path("usage").path("total_tokens").asLong();
                        case "error" -> {
                            String code = data.path("code").asText();
                            return new TurnResult(text.toString(), tools, tokens, firstToken, millis(started),
                                    code + ": " + data.path("message").asText(), code.equals("rate_limited") || code.startsWith("upstream"));
                        }
                        default -> { }
                    }
                }
            }
            return new TurnResult(text.toString(), tools, tokens, firstToken, millis(started), null, false);
        } catch (IOException e) {
            return new TurnResult(text.toString(), tools, tokens, firstToken, millis(started),
                    "the connection to the gateway failed: " + e.getMessage(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TurnResult(text.toString(), tools, tokens, firstToken, millis(started), "interrupted", false);
        }
    }

    /** A non-streamed Chat Completions call through the gateway (the judge's). */
    JsonNode chat(ObjectNode body) throws IOException {
        return post("/v1/chat/completions", body);
    }

    JsonNode get(String path) throws IOException {
        return json(send(request(path).GET(), HttpResponse.BodyHandlers.ofString()));
    }

    JsonNode post(String path, JsonNode body) throws IOException {
        return json(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))), HttpResponse.BodyHandlers.ofString()));
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(5));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        if (response.statusCode() >= 400) throw new Refused(response.statusCode(), errorMessage(response.statusCode(), response.body()));
        return Json.MAPPER.readTree(response.body());
    }

    private static String errorMessage(int status, String body) {
        try {
            return "HTTP " + status + ": " + Json.MAPPER.readTree(body).path("error").path("message").asText(body);
        } catch (IOException e) {
            return "HTTP " + status;
        }
    }

    private static JsonNode parseArguments(String arguments) {
        try {
            return Json.MAPPER.readTree(arguments);
        } catch (IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(arguments);
        }
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
