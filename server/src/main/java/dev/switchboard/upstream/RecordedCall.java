package dev.switchboard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.io.IOException;

/**
 * One non-streamed request the gateway makes on its own behalf (vision OCR, a client secret, speech), read whole
 * and recorded in its exchange like every relayed request: status, upstream request id, usage when the answer
 * carries it, and how it ended.
 */
public final class RecordedCall {
    private RecordedCall() {}

    /** The answer: its status, content type, body and headers. */
    public record Answer(int status, String contentType, byte[] body, java.net.http.HttpHeaders headers) {
        public boolean ok() {
            return status < 400;
        }

        public boolean isJson() {
            return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
        }

        /** The body as JSON; an empty object when it is not JSON. */
        public JsonNode json() {
            try {
                return isJson() ? Json.MAPPER.readTree(body) : Json.object();
            } catch (IOException e) {
                return Json.object();
            }
        }

        /** OpenAI's error message in the body, or a sentence naming the status. */
        public String errorMessage() {
            return json().path("error").path("message").asText("The upstream answered HTTP " + status + ".");
        }
    }

    /**
     * Sends and reads the whole answer, finishing {@code exchange}.
     *
     * @throws GatewayException 502 or 504 when upstream cannot be reached, does not answer, or breaks off
     */
    public static Answer send(UpstreamClient upstream, UpstreamRequest request, Exchange exchange) {
        try (UpstreamResponse response = upstream.send(request)) {
            exchange.answered(response.status(), response.header("x-request-id").orElse(null));
            Answer answer = new Answer(response.status(), response.header("Content-Type").orElse(null), response.readAll(),
                    response.headers());
            exchange.firstByte();
            JsonNode json = answer.json();
            if (answer.ok()) {
                exchange.usage(Usage.fromJson(json.get("usage")));
                exchange.answeredBy(json);
                exchange.finish("completed", null);
            } else {
                exchange.finish("upstream_error", json.path("error").path("code").asText(null));
            }
            return answer;
        } catch (GatewayException e) {
            exchange.finish("upstream_unavailable", e.code());
            throw e;
        } catch (IOException e) {
            exchange.finish("upstream_failed", null);
            throw GatewayException.upstreamUnreachable("the answer broke off while it was being read");
        }
    }
}
