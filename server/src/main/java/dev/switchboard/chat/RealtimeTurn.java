package dev.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.realtime.UpstreamLeg;
import dev.switchboard.realtime.WholeEvents;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.web.Json;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A chat answered by a Realtime model over a WebSocket of its own: {@code session.update} (text output, the
 * instructions), the history as {@code conversation.item.create} events, {@code response.create}, then the text
 * deltas as they arrive. The socket is the call's alone and is closed as soon as the answer is complete, so
 * conversations never mix. Upstream events are queued by the socket's listener and read on the caller's thread,
 * which is the one that writes to the client.
 */
final class RealtimeTurn extends WholeEvents {
    /** What the listener hands over: an event's text, or the end of the socket. */
    private record Closed(String why) {}

    /** How often a quiet socket is pinged: the JDK client does not always report a peer that vanished. */
    private static final Duration PING_INTERVAL = Duration.ofSeconds(2);

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    private RealtimeTurn() {}

    static TurnEnd run(UpstreamLeg leg, ChatRequest request, String model, ChatAnswer answer, Exchange exchange, Duration idle) {
        RealtimeTurn turn = new RealtimeTurn();
        WebSocket socket;
        try {
            socket = leg.open(exchange.requestId(), model, turn);
        } catch (UpstreamLeg.Refused refused) {
            exchange.answered(refused.status, null);
            // OpenAI refusing the gateway's own key is the gateway's failure (502), never the client's 401.
            return refused.status == 401
                    ? TurnEnd.failed(answer, 502, "upstream_key_rejected", refused.getMessage())
                    : TurnEnd.failed(answer, refused.status == 0 ? 502 : refused.status, "realtime_unavailable", refused.getMessage());
        }
        exchange.answered(101, null);
        try {
            return turn.converse(socket, request, answer, exchange, idle);
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).whenComplete((ok, e) -> socket.abort());
        }
    }

    private TurnEnd converse(WebSocket socket, ChatRequest request, ChatAnswer answer, Exchange exchange, Duration idle) {
        try {
            ObjectNode update = Json.object().put("type", "session.update");
            ObjectNode session = update.putObject("session").put("type", "realtime");
            session.putArray("output_modalities").add("text");
            if (request.instructions() != null) session.put("instructions", request.instructions());
            send(socket, update);
            for (ChatRequest.Message message : request.messages()) {
                if (!message.instruction()) send(socket, ChatRequest.itemCreate(message));
            }
            ObjectNode create = Json.object().put("type", "response.create");
            ObjectNode response = create.putObject("response");
            response.putArray("output_modalities").add("text");
            if (request.maxTokens() != null) response.put("max_output_tokens", request.maxTokens());
            send(socket, create);
        } catch (RuntimeException e) {
            return TurnEnd.failed(answer, 502, "realtime_failed", "OpenAI did not take the conversation: " + e.getMessage());
        }
        socket.request(1);
        try {
            long quietSince = System.nanoTime();
            CompletableFuture<WebSocket> ping = CompletableFuture.completedFuture(socket);
            while (true) {
                Object next = inbox.poll(PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                if (next == null) {
                    if (System.nanoTime() - quietSince > idle.toNanos()) {
                        return TurnEnd.failed(answer, 504, "realtime_timeout", "OpenAI sent nothing for " + idle.toSeconds() + " s.");
                    }
                    // A ping's failed write is how a connection dropped without a close frame is found.
                    if (ping.isCompletedExceptionally() || socket.isInputClosed()) {
                        return TurnEnd.failed(answer, 502, "realtime_failed", "the connection to OpenAI broke");
                    }
                    if (ping.isDone()) ping = socket.sendPing(ByteBuffer.allocate(0));
                    continue;
                }
                quietSince = System.nanoTime();
                if (next instanceof Closed closed) return TurnEnd.failed(answer, 502, "realtime_failed", closed.why());
                JsonNode event = Json.MAPPER.readTree((String) next);
                switch (event.path("type").asText()) {
                    case "response.output_text.delta" -> {
                        exchange.eventRelayed();
                        exchange.firstByte();
                        answer.delta(event.path("delta").asText());
                    }
                    case "error" -> {
                        JsonNode error = event.path("error");
                        return TurnEnd.failed(answer, 502, error.path("code").asText("realtime_error"),
                                "OpenAI: " + error.path("message").asText("the session failed"));
                    }
                    case "response.done" -> {
                        return done(event.path("response"), answer, exchange);
                    }
                    default -> { }
                }
            }
        } catch (ClientGoneException e) {
            return TurnEnd.failed(answer, 499, "client_gone", "the client went away");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TurnEnd.failed(answer, 502, "realtime_failed", "interrupted");
        } catch (java.io.IOException e) {
            return TurnEnd.failed(answer, 502, "realtime_failed", "OpenAI sent an event that is not JSON");
        }
    }

    private static TurnEnd done(JsonNode response, ChatAnswer answer, Exchange exchange) {
        String status = response.path("status").asText();
        JsonNode usageJson = response.path("usage");
        Usage usage = Usage.fromJson(usageJson);
        if (usage != null) exchange.usage(usage);
        if (status.equals("completed") || status.equals("incomplete")) {
            ObjectNode usageOut = usage == null ? null : Json.object().put("input_tokens", usage.inputTokens())
                    .put("output_tokens", usage.outputTokens()).put("total_tokens", usage.totalTokens());
            return TurnEnd.completed(usageOut, status.equals("completed") ? "stop" : "length");
        }
        String reason = response.path("status_details").path("error").path("message").asText("the response ended " + status);
        return TurnEnd.failed(answer, 502, "realtime_response_" + status, "OpenAI: " + reason);
    }

    private static void send(WebSocket socket, ObjectNode event) {
        socket.sendText(Json.write(event), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Override
    protected void onEvent(String text) {
        inbox.add(text);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        inbox.add(new Closed("OpenAI closed the session (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")"));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        inbox.add(new Closed("the connection to OpenAI broke: " + error.getMessage()));
    }
}
