package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamContinuation;
import dev.switchboard.stream.StreamMeta;
import dev.switchboard.stream.UpstreamStream;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.upstream.UpstreamResponse;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a background Responses stream goes on when the instance relaying it is gone: the response keeps running at
 * OpenAI, and anyone with the key may read the rest of its events with
 * {@code GET /responses/{id}?stream=true&starting_after=N}. The id is in the stream's first event,
 * {@code response.created}; the events come numbered as upstream numbers them, so the log's ids keep agreeing
 * with their {@code sequence_number}.
 *
 * <p>The continuation is its own request row ({@code /v1/responses/{id}}, with the stream's id): the usage is the
 * response's, which only the terminal event carries, so the relay that was cut off before it counted none.
 */
final class ResponsesContinuation implements StreamContinuation {
    private static final Logger LOG = LoggerFactory.getLogger(ResponsesContinuation.class);

    private final UpstreamClient upstream;
    private final ExchangeListener listener;

    ResponsesContinuation(UpstreamClient upstream, ExchangeListener listener) {
        this.upstream = upstream;
        this.listener = listener;
    }

    @Override
    public Continued resume(StreamMeta meta, SseFrame first, SseFrame last, long after) {
        // A relay that died between upstream's last event and the log's end leaves nothing to read on.
        if (last.hasData() && ResponsesDialect.INSTANCE.isTerminal(last)) return null;
        String responseId = responseId(first);
        if (responseId == null) return null;
        String requestId = RequestIds.next();
        Exchange exchange = new Exchange(requestId, meta.keyId(), null, meta.owner(), "/v1/responses/{id}",
                meta.model(), true, listener);
        exchange.streamId(meta.id());
        UpstreamResponse response;
        try {
            response = upstream.send(new UpstreamRequest("GET", "/responses/" + responseId,
                    "stream=true&starting_after=" + after, null, Map.of(), requestId));
        } catch (GatewayException unreachable) {
            exchange.answered(unreachable.status(), null);
            exchange.finish("upstream_unavailable", unreachable.code());
            return null;
        }
        exchange.answered(response.status(), response.header("x-request-id").orElse(null));
        if (response.status() >= 400 || !response.isEventStream()) {
            String code = refusal(response);
            LOG.warn("{} upstream refused to continue response {} of stream {}: {} {}", requestId, responseId, meta.id(),
                    response.status(), code);
            exchange.finish("upstream_error", code);
            return null;
        }
        return new Continued(new UpstreamStream(response.source(), response::timedOut, response::close, response::release),
                ResponsesDialect.INSTANCE, exchange);
    }

    /** The response's id, from the stream's {@code response.created} event; null for any other first event. */
    static String responseId(SseFrame first) {
        if (first == null || !first.hasData()) return null;
        try {
            JsonNode event = Json.MAPPER.readTree(first.data());
            if (!"response.created".equals(event.path("type").asText())) return null;
            String id = event.path("response").path("id").asText("");
            return id.matches("resp_[A-Za-z0-9_-]{1,200}") ? id : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** Upstream's error code, with the body closed; never its text, which could echo the server's key. */
    private String refusal(UpstreamResponse response) {
        try (response) {
            return response.status() >= 400 ? UpstreamErrors.code(UpstreamErrors.forClient(response.status(),
                    response.readAll(), response.header("Content-Type").orElse(null), upstream.apiKey())) : "not_a_stream";
        } catch (IOException | RuntimeException unreadable) {
            return "upstream_error";
        }
    }
}
