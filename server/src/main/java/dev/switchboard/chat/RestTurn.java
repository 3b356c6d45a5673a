package dev.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.stream.OwnStream;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.Json;

/**
 * A chat answered by streaming Chat Completions: each content delta goes to the client as it arrives, and the
 * usage comes from the last chunk ({@code stream_options.include_usage}).
 */
final class RestTurn {
    private RestTurn() {}

    static TurnEnd run(UpstreamClient upstream, ChatRequest request, String model, ChatAnswer answer, Exchange exchange) {
        ObjectNode body = Json.object().put("model", model);
        body.set("messages", request.chatMessages());
        if (request.temperature() != null) body.put("temperature", request.temperature());
        if (request.maxTokens() != null) body.put("max_completion_tokens", request.maxTokens());
        body.put("stream", true).putObject("stream_options").put("include_usage", true);
        String[] finishReason = {"stop"};
        ObjectNode[] usage = {null};
        OwnStream.Result result = OwnStream.read(upstream, UpstreamRequest.postJson("/chat/completions", body, exchange.requestId()),
                exchange, response -> { }, chunk -> {
                    JsonNode choice = chunk.path("choices").path(0);
                    String piece = choice.path("delta").path("content").asText("");
                    if (!piece.isEmpty()) {
                        exchange.firstByte();
                        answer.delta(piece);
                    }
                    if (choice.hasNonNull("finish_reason")) finishReason[0] = choice.get("finish_reason").asText();
                    if (chunk.hasNonNull("usage")) {
                        Usage counted = Usage.fromJson(chunk.get("usage"));
                        if (counted != null) {
                            exchange.usage(counted);
                            exchange.answeredBy(chunk);
                            usage[0] = Json.object().put("input_tokens", counted.inputTokens())
                                    .put("output_tokens", counted.outputTokens()).put("total_tokens", counted.totalTokens());
                        }
                        return true;
                    }
                    return false;
                });
        return switch (result.ending()) {
            case COMPLETE -> TurnEnd.completed(usage[0], finishReason[0]);
            case REFUSED -> TurnEnd.failed(answer, result.status(), "upstream_error", "OpenAI: " + result.message());
            case UNAVAILABLE -> TurnEnd.failed(answer, result.status(), result.code(), result.message());
            case CUT_SHORT, BROKEN -> TurnEnd.failed(answer, 502, "upstream_failed", "The answer from OpenAI broke off.");
        };
    }
}
