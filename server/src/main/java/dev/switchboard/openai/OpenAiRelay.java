package dev.switchboard.openai;

import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.stream.RelayOutcome;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.upstream.UpstreamResponse;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.RequestIds;
import io.javalin.http.Context;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one client request to the upstream with the server's key and answers with what came back. The four
 * legs are named as in a proxy: clientRequest (the Context), upstreamRequest, upstreamResponse, clientResponse.
 */
final class OpenAiRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiRelay.class);

    private final UpstreamClient upstream;

    OpenAiRelay(UpstreamClient upstream) {
        this.upstream = upstream;
    }

    /**
     * @param body    bytes to forward unchanged, or null for none
     * @param dialect the stream's dialect when the client asked for a stream, else null
     */
    void forward(Context clientRequest, String method, String upstreamPath, byte[] body, StreamDialect dialect) {
        String requestId = RequestIds.of(clientRequest);
        var upstreamRequest = new UpstreamRequest(method, upstreamPath, clientRequest.queryString(), body,
                RelayedHeaders.fromClient(clientRequest::header), requestId);
        try (UpstreamResponse upstreamResponse = upstream.send(upstreamRequest)) {
            if (upstreamResponse.status() >= 400) {
                answerError(clientRequest, upstreamResponse);
            } else if (dialect != null && upstreamResponse.isEventStream()) {
                relayStream(clientRequest, upstreamResponse, dialect, requestId, upstreamPath);
            } else {
                answerWhole(clientRequest, upstreamResponse);
            }
        }
    }

    private void relayStream(Context clientRequest, UpstreamResponse upstreamResponse, StreamDialect dialect,
                             String requestId, String upstreamPath) {
        try {
            SseWriter clientResponse = SseWriter.start(clientRequest.res(),
                    RelayedHeaders.fromUpstream(upstreamResponse.headers()));
            RelayOutcome outcome = StreamRelay.relay(upstreamResponse.body(), upstreamResponse::timedOut,
                    clientResponse, dialect);
            if (outcome == RelayOutcome.COMPLETED) {
                LOG.debug("{} stream {} completed", requestId, upstreamPath);
            } else {
                LOG.info("{} stream {} ended: {} (upstream request {})", requestId, upstreamPath, outcome,
                        upstreamResponse.header("x-request-id").orElse("-"));
            }
        } catch (ClientGoneException e) {
            // Closing the upstream response (try-with-resources in forward) cancels the upstream request.
            LOG.debug("{} client left during {}", requestId, upstreamPath);
        }
    }

    private void answerWhole(Context clientRequest, UpstreamResponse upstreamResponse) {
        byte[] body;
        try {
            body = upstreamResponse.readAll();
        } catch (IOException e) {
            if (upstreamResponse.timedOut()) throw GatewayException.upstreamTimeout("the response body stalled");
            throw GatewayException.upstreamUnreachable("the connection broke while reading the response");
        }
        copyHeaders(clientRequest, upstreamResponse);
        clientRequest.status(upstreamResponse.status());
        upstreamResponse.header("Content-Type").ifPresent(clientRequest::contentType);
        clientRequest.result(body);
    }

    private void answerError(Context clientRequest, UpstreamResponse upstreamResponse) {
        byte[] body;
        try {
            body = upstreamResponse.readAll();
        } catch (IOException e) {
            body = new byte[0];
        }
        copyHeaders(clientRequest, upstreamResponse);
        clientRequest.status(upstreamResponse.status()).contentType("application/json")
                .result(UpstreamErrors.forClient(upstreamResponse.status(), body,
                        upstreamResponse.header("Content-Type").orElse(null), upstream.apiKey()));
    }

    private static void copyHeaders(Context clientRequest, UpstreamResponse upstreamResponse) {
        RelayedHeaders.fromUpstream(upstreamResponse.headers()).forEach(clientRequest::header);
    }
}
