package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.observe.Usage;
import dev.switchboard.ownership.OwnedObjects;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.stream.RelayOutcome;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamMeta;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.stream.UpstreamStream;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.upstream.UpstreamResponse;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one client request to the upstream with the server's key and answers with what came back. The four
 * legs are named as in a proxy: clientRequest (the Context), upstreamRequest, upstreamResponse, clientResponse.
 * Every forward is one {@link Exchange}, finished exactly once, whatever happens.
 */
final class OpenAiRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiRelay.class);
    static final String STREAM_ID_HEADER = "X-Switchboard-Stream-Id";

    private final UpstreamClient upstream;
    private final StreamRelay streams;
    private final ExchangeListener listener;
    private final OwnedObjects owned;

    OpenAiRelay(UpstreamClient upstream, StreamRelay streams, ExchangeListener listener, OwnedObjects owned) {
        this.upstream = upstream;
        this.streams = streams;
        this.listener = listener;
        this.owned = owned;
    }

    /** Forwards an admitted request (its caller, limits, stream slot and owned ids checked) as its one exchange. */
    void forward(Context clientRequest, Forward forward) {
        Admitted admitted = Admitted.of(clientRequest);
        if (forward.creates() == null && admitted.route().creates() != null) forward = forward.creating(admitted.route().creates());
        relay(clientRequest, forward, admitted.caller(), admitted.exchange());
    }

    private void relay(Context clientRequest, Forward forward, Caller caller, Exchange exchange) {
        String requestId = exchange.requestId();
        String query = forward.query() != null ? forward.query() : clientRequest.queryString();
        var upstreamRequest = new UpstreamRequest(forward.method(), forward.upstreamPath(), query,
                forward.body(), RelayedHeaders.fromClient(clientRequest::header), requestId);
        UpstreamResponse upstreamResponse = sendWithRetries(upstreamRequest, exchange);
        boolean streamed = false;
        try {
            exchange.answered(upstreamResponse.status(), upstreamResponse.header("x-request-id").orElse(null));
            if (upstreamResponse.status() >= 400) {
                answerError(clientRequest, upstreamResponse, exchange);
            } else if (forward.dialect() != null && upstreamResponse.isEventStream()) {
                streamed = true;
                relayStream(clientRequest, upstreamResponse, forward, caller, exchange);
            } else {
                answerWhole(clientRequest, upstreamResponse, forward, caller, exchange);
            }
        } finally {
            // A relayed stream closes (or releases) its upstream itself; everything else is done with it here.
            if (!streamed) upstreamResponse.close();
            exchange.finish("failed", "the gateway failed while relaying");
        }
    }

    /**
     * Sends the request, trying again ({@code SWITCHBOARD_UPSTREAM_RETRIES} times) when OpenAI answers 429 or 5xx or
     * cannot be reached: nothing has reached the client yet, so a retry is invisible but for the wait. The wait is
     * OpenAI's {@code Retry-After} when it asks for 10 s or less (a longer one goes back to the client at once), else
     * half a second, doubling. The last answer, whatever it is, is the client's.
     */
    private UpstreamResponse sendWithRetries(UpstreamRequest request, Exchange exchange) {
        for (int attempt = 0; ; attempt++) {
            boolean last = attempt >= upstream.retries();
            UpstreamResponse response;
            try {
                response = upstream.send(request);
            } catch (GatewayException e) {
                // A timeout already waited its full length, and a refused key stays refused: only an unreachable
                // upstream is tried again.
                if (last || !"upstream_unreachable".equals(e.code())) {
                    exchange.answered(e.status(), null);
                    exchange.finish("upstream_unavailable", e.code());
                    throw e;
                }
                pause(backoff(attempt));
                continue;
            }
            int status = response.status();
            if (last || (status != 429 && status < 500)) return response;
            long wait = response.header("Retry-After").map(OpenAiRelay::seconds).orElse(-1L);
            if (wait > 10) return response;
            response.close();
            LOG.info("{} upstream answered {}; trying again ({} of {})", exchange.requestId(), status, attempt + 1, upstream.retries());
            pause(wait >= 0 ? wait * 1000 : backoff(attempt));
        }
    }

    private static long backoff(int attempt) {
        return Math.min(8000, 500L << attempt);
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.strip());
        } catch (NumberFormatException dateOrGarbage) {
            return -1;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.upstreamUnreachable("interrupted while waiting to try again");
        }
    }

    private void relayStream(Context clientRequest, UpstreamResponse upstreamResponse, Forward forward, Caller caller,
                             Exchange exchange) {
        StreamMeta meta = new StreamMeta(StreamMeta.newId(), caller.owner(), caller.keyId(), exchange.endpoint(),
                forward.model(), forward.resumable(), Instant.now(), exchange.requestId(), forward.firstSeq());
        exchange.streamId(meta.id());
        Map<String, String> headers = new java.util.LinkedHashMap<>(RelayedHeaders.fromUpstream(upstreamResponse.headers()));
        headers.put(STREAM_ID_HEADER, meta.id());
        SseWriter clientResponse;
        try {
            clientResponse = SseWriter.start(clientRequest.res(), headers);
        } catch (ClientGoneException e) {
            upstreamResponse.close();
            exchange.finish("client_gone", null);
            return;
        }
        var upstreamStream = new UpstreamStream(upstreamResponse.body(), upstreamResponse::timedOut,
                upstreamResponse::close, upstreamResponse::release);
        StreamDialect dialect = forward.creates() == null ? forward.dialect()
                : new RecordingDialect(forward.dialect(), owned, forward.creates(), caller.owner());
        RelayOutcome outcome = streams.relay(meta, upstreamStream, clientResponse, dialect, forward.dropUsageOnly(),
                exchange);
        if (outcome != RelayOutcome.COMPLETED) {
            LOG.info("{} stream {} on {} ended: {} (upstream request {})", exchange.requestId(), meta.id(),
                    exchange.endpoint(), outcome, exchange.upstreamRequestId());
        }
    }

    private void answerWhole(Context clientRequest, UpstreamResponse upstreamResponse, Forward forward, Caller caller,
                             Exchange exchange) {
        byte[] body;
        try {
            body = upstreamResponse.readAll();
        } catch (IOException e) {
            exchange.finish("upstream_failed", "the connection broke while reading the response");
            if (upstreamResponse.timedOut()) throw GatewayException.upstreamTimeout("the response body stalled");
            throw GatewayException.upstreamUnreachable("the connection broke while reading the response");
        }
        exchange.firstByte();
        JsonNode json = jsonObject(body);
        exchange.usage(json == null ? null : Usage.fromJson(json.get("usage")));
        // Before the client has the id: its next call, on any instance, must find the object its own.
        String createdId = json == null ? null : json.path("id").asText(null);
        if (forward.creates() != null && createdId != null && upstreamResponse.status() < 300) {
            owned.record(forward.creates(), createdId, caller.owner());
        }
        copyHeaders(clientRequest, upstreamResponse);
        clientRequest.status(upstreamResponse.status());
        upstreamResponse.header("Content-Type").ifPresent(clientRequest::contentType);
        clientRequest.result(body);
        exchange.finish("completed", null);
    }

    private void answerError(Context clientRequest, UpstreamResponse upstreamResponse, Exchange exchange) {
        byte[] body;
        try {
            body = upstreamResponse.readAll();
        } catch (IOException e) {
            body = new byte[0];
        }
        copyHeaders(clientRequest, upstreamResponse);
        byte[] clientBody = UpstreamErrors.forClient(upstreamResponse.status(), body,
                upstreamResponse.header("Content-Type").orElse(null), upstream.apiKey());
        clientRequest.status(upstreamResponse.status()).contentType("application/json").result(clientBody);
        exchange.finish("upstream_error", UpstreamErrors.code(clientBody));
    }

    /** A JSON object answer, for its usage and id; null for anything else. */
    private static JsonNode jsonObject(byte[] body) {
        if (body.length == 0 || body[0] != '{') return null;
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static void copyHeaders(Context clientRequest, UpstreamResponse upstreamResponse) {
        RelayedHeaders.fromUpstream(upstreamResponse.headers()).forEach(clientRequest::header);
    }
}
