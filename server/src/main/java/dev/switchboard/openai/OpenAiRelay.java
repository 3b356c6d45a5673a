package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.limits.Limits;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.Usage;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.ownership.OwnedListing;
import dev.switchboard.stream.RelayOutcome;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.stream.StreamMeta;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.stream.UpstreamStream;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.upstream.UpstreamResponse;
import dev.switchboard.web.AsyncBodies;
import dev.switchboard.web.AsyncRequests;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
    private final ApiOwnership owned;
    private final DeferredUsage deferred;

    OpenAiRelay(UpstreamClient upstream, StreamRelay streams, ApiOwnership owned, DeferredUsage deferred) {
        this.upstream = upstream;
        this.streams = streams;
        this.owned = owned;
        this.deferred = deferred;
    }

    /**
     * Forwards an admitted request (its caller, limits, model, stream slot and named objects checked by the pipeline)
     * as its one exchange.
     */
    void forward(Context clientRequest, Forward forward) {
        Admitted admitted = Admitted.of(clientRequest);
        relay(clientRequest, forward, admitted, admitted.exchange());
    }

    private void relay(Context clientRequest, Forward forward, Admitted admitted, Exchange exchange) {
        String requestId = exchange.requestId();
        ApiCall api = forward.api();
        boolean askedForStream = exchange.streaming();
        String query = forward.query() != null ? forward.query() : clientRequest.queryString();
        // The one rule for usage read from answers: a GET reads what an earlier request made (an object, a replayed
        // stream) and spends nothing, whatever usage its answer reports. Work that goes on upstream after its request
        // (a background response's resumed relay, a batch) is counted by whoever follows it (ResponsesContinuation,
        // DeferredUsage), once.
        if ("GET".equals(forward.method())) exchange.retrieval();
        var upstreamRequest = new UpstreamRequest(forward.method(), forward.upstreamPath(), query,
                forward.body(), RelayedHeaders.fromClient(clientRequest::header), requestId);
        if (api != null && api.streamed() != null) upstreamRequest = upstreamRequest.streaming(api.streamed());
        UpstreamRequest sent = upstreamRequest;
        // The stream's slot outlives the handler, which returns at once: it is freed when the answer has ended.
        Limits.Slot slot = askedForStream ? admitted.handOver() : Limits.Slot.none();
        // No thread waits on the upstream: the request goes asynchronous, each step runs on the I/O thread that made it
        // possible, and the request completes once its answer has been written (or its stream has ended).
        // The chain starts from a completed stage, so that what fails while the first call is being made (a query the
        // upstream's URI cannot hold) fails the chain too: thrown from the supplier, it would skip the stages that
        // free the slot and end the exchange, and the key would keep a stream slot for good.
        AsyncRequests.answer(clientRequest, () -> CompletableFuture.completedFuture(sent)
                .thenCompose(request -> sendWithRetries(request, exchange, 0))
                // The answer starts on a thread of its own (it may record what it created in the database); from then
                // on each step runs on the I/O thread that made it possible.
                .thenComposeAsync(upstreamResponse -> answer(clientRequest, upstreamResponse, forward, admitted,
                        exchange, askedForStream), Thread::startVirtualThread)
                .whenComplete((answered, failed) -> {
                    slot.close();
                    // Every way of answering ends the exchange; only the first finish counts, so this ends one that
                    // a failure left open.
                    exchange.finish("failed", "the gateway failed while forwarding");
                }));
    }

    /** Answers the client with what upstream answered; completes once the answer has been written. */
    private CompletableFuture<?> answer(Context clientRequest, UpstreamResponse upstreamResponse, Forward forward,
                                        Admitted admitted, Exchange exchange, boolean askedForStream) {
        CompletableFuture<?> answered;
        try {
            exchange.answered(upstreamResponse.status(), upstreamResponse.header("x-request-id").orElse(null));
            if (upstreamResponse.status() >= 400) {
                answered = answerError(clientRequest, upstreamResponse, exchange);
            } else if (upstreamResponse.isEventStream() && (forward.dialect() != null || forward.api() != null)) {
                // A relayed stream closes (or releases) its upstream and ends its exchange itself.
                return relayStream(clientRequest, upstreamResponse, forward, admitted, exchange, askedForStream);
            } else if (isJson(upstreamResponse)) {
                answered = answerWhole(clientRequest, upstreamResponse, forward, admitted.caller(), exchange);
            } else {
                answered = answerStreamed(clientRequest, upstreamResponse, null, exchange);
            }
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        return answered.whenComplete((done, failure) -> upstreamResponse.close());
    }

    /**
     * Answers a list endpoint with the caller's owner's objects only: the ownership rules read as many upstream pages
     * as they need through this relay (each a request of this one exchange, retried like any) and answer OpenAI's
     * list shape. An upstream error ends the listing with that error, as a forwarded request would.
     */
    void listOwned(Context clientRequest, String clientPath, String upstreamPath, OwnedListing listing) {
        Admitted admitted = Admitted.of(clientRequest);
        Caller caller = admitted.caller();
        Exchange exchange = admitted.exchange();
        try {
            Map<String, String> clientQuery = new java.util.LinkedHashMap<>();
            clientRequest.queryParamMap().forEach((name, values) -> {
                if (!values.isEmpty()) clientQuery.put(name, values.get(0));
            });
            JsonNode page = listing.page(caller.owner(), clientQuery,
                    query -> upstreamPage(clientRequest, upstreamPath, query, exchange));
            exchange.firstByte();
            clientRequest.status(200).contentType("application/json").result(Json.write(page));
            exchange.finish("completed", null);
        } catch (GatewayException e) {
            exchange.finish("upstream_error", e.code());
            throw e;
        } finally {
            exchange.finish("failed", "the gateway failed while listing");
        }
    }

    private JsonNode upstreamPage(Context clientRequest, String upstreamPath, String query, Exchange exchange) {
        var request = new UpstreamRequest("GET", upstreamPath, query == null || query.isEmpty() ? null : query, null,
                RelayedHeaders.fromClient(clientRequest::header), exchange.requestId());
        try (UpstreamResponse response = await(sendWithRetries(request, exchange, 0))) {
            exchange.answered(response.status(), response.header("x-request-id").orElse(null));
            byte[] body;
            try {
                body = response.body().readNBytes(WHOLE_ANSWER_LIMIT);
            } catch (IOException e) {
                throw response.timedOut() ? GatewayException.upstreamTimeout("the list page stalled")
                        : GatewayException.upstreamUnreachable("the connection broke while reading a list page");
            }
            if (response.status() >= 400) {
                throw UpstreamErrors.asException(response.status(), body, response.header("Content-Type").orElse(null),
                        upstream.apiKey(), null);
            }
            JsonNode json = jsonObject(body);
            if (json == null) throw GatewayException.upstreamUnreachable("a list page was not a JSON object");
            deferred.seen(json);
            return json;
        }
    }

    /**
     * Sends the request, trying again ({@code SWITCHBOARD_UPSTREAM_RETRIES} times) when OpenAI answers 429 or 5xx or
     * cannot be reached: nothing has reached the client yet, so a retry is invisible but for the wait. The wait is
     * OpenAI's {@code Retry-After} when it asks for 10 s or less (a longer one goes back to the client at once), else
     * half a second, doubling; no thread waits meanwhile. The last answer, whatever it is, is the client's; a failure
     * is the {@link GatewayException} to answer with.
     */
    private CompletableFuture<UpstreamResponse> sendWithRetries(UpstreamRequest request, Exchange exchange, int attempt) {
        // A streamed body can be sent again only while none of it has been read.
        boolean last = attempt >= upstream.retries() || (request.streamed() != null && !request.streamed().untouched());
        return upstream.sendAsync(request).handle((response, failed) -> {
            if (failed != null) {
                GatewayException e = asRefusal(failed);
                if (request.streamed() != null && e == request.streamed().refusal()) {
                    // The body was refused as it passed (a form field, its size): upstream never got all of it.
                    exchange.answered(e.status(), null);
                    exchange.finish("refused", e.code());
                    throw e;
                }
                // A timeout already waited its full length, and a refused key stays refused: only an unreachable
                // upstream is tried again.
                if (last || !"upstream_unreachable".equals(e.code()) || !replayable(request)) {
                    exchange.answered(e.status(), null);
                    exchange.finish("upstream_unavailable", e.code());
                    throw e;
                }
                return later(backoff(attempt), () -> sendWithRetries(request, exchange, attempt + 1));
            }
            int status = response.status();
            if (last || (status != 429 && status < 500) || !replayable(request)) return CompletableFuture.completedFuture(response);
            long wait = response.header("Retry-After").map(OpenAiRelay::seconds).orElse(-1L);
            if (wait > 10) return CompletableFuture.completedFuture(response);
            response.close();
            LOG.info("{} upstream answered {}; trying again ({} of {})", exchange.requestId(), status, attempt + 1, upstream.retries());
            return later(wait >= 0 ? wait * 1000 : backoff(attempt), () -> sendWithRetries(request, exchange, attempt + 1));
        }).thenCompose(next -> next);
    }

    /** The attempt {@code next} makes, made after {@code millis}. */
    private static CompletableFuture<UpstreamResponse> later(long millis, Supplier<CompletableFuture<UpstreamResponse>> next) {
        return CompletableFuture.supplyAsync(next, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS))
                .thenCompose(attempt -> attempt);
    }

    /** What an upstream call failed with, as the refusal to answer with. */
    private static GatewayException asRefusal(Throwable failed) {
        Throwable cause = failed instanceof CompletionException && failed.getCause() != null ? failed.getCause() : failed;
        return cause instanceof GatewayException refusal ? refusal
                : GatewayException.upstreamUnreachable(cause.getClass().getSimpleName());
    }

    /** Waits for an upstream answer, for the gateway's own calls made on a thread of their own. */
    private static UpstreamResponse await(CompletableFuture<UpstreamResponse> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            throw asRefusal(e);
        }
    }

    private static boolean replayable(UpstreamRequest request) {
        return request.streamed() == null || request.streamed().untouched();
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

    /**
     * Relays an event stream; the answer completes when the stream has ended. The relay closes (or releases) the
     * upstream response and ends the exchange.
     */
    private CompletableFuture<?> relayStream(Context clientRequest, UpstreamResponse upstreamResponse, Forward forward,
                                             Admitted admitted, Exchange exchange, boolean askedForStream) {
        // A stream the request did not announce (a form's stream field, an endpoint that always streams) takes its slot
        // now; refused, the upstream request is ended unread.
        Limits.Slot slot = Limits.Slot.none();
        if (!askedForStream) {
            try {
                slot = admitted.openStream();
            } catch (GatewayException refused) {
                upstreamResponse.close();
                exchange.finish("refused", refused.code());
                throw refused;
            }
            exchange.streamed();
        }
        Caller caller = admitted.caller();
        StreamMeta meta = new StreamMeta(StreamMeta.newId(), caller.owner(), caller.keyId(), exchange.endpoint(),
                forward.model(), forward.resumable(), Instant.now(), exchange.requestId(), forward.firstSeq());
        exchange.streamId(meta.id());
        Map<String, String> headers = new java.util.LinkedHashMap<>(RelayedHeaders.fromUpstream(upstreamResponse.headers()));
        headers.put(STREAM_ID_HEADER, meta.id());
        // Ownership is judged on the client's path, never on the endpoint's name (its ids replaced). An endpoint of
        // the gateway's own has a dialect that knows its events; any other stream is read by RecordingDialect.
        StreamDialect dialect = forward.api() != null
                ? RecordingDialect.ofAny(ForwardedStreamDialect.INSTANCE, owned, caller.owner(), forward.method(), forward.clientPath())
                : RecordingDialect.ofKnown(forward.dialect(), owned, caller.owner(), forward.method(), forward.clientPath());
        // A replayed stream spends nothing, but may be the first read of a background response that has ended.
        if ("GET".equals(forward.method())) dialect = new DeferredUsageDialect(dialect, deferred);
        SseWriter clientResponse = SseWriter.start(clientRequest, headers);
        Limits.Slot held = slot;
        var upstreamStream = new UpstreamStream(upstreamResponse.source(), upstreamResponse::timedOut,
                upstreamResponse::close, upstreamResponse::release);
        return streams.relay(meta, upstreamStream, clientResponse, dialect, forward.dropUsageOnly(), exchange)
                .whenComplete((outcome, failure) -> {
                    held.close();
                    if (outcome != RelayOutcome.COMPLETED) {
                        LOG.info("{} stream {} on {} ended: {} (upstream request {})", exchange.requestId(), meta.id(),
                                exchange.endpoint(), failure == null ? outcome : failure.toString(),
                                exchange.upstreamRequestId());
                    }
                });
    }

    private CompletableFuture<?> answerWhole(Context clientRequest, UpstreamResponse upstreamResponse, Forward forward,
                                             Caller caller, Exchange exchange) {
        return AsyncBodies.readUpTo(upstreamResponse.source(), WHOLE_ANSWER_LIMIT).handle((body, failed) -> {
            if (failed != null) {
                exchange.finish("upstream_failed", "the connection broke while reading the response");
                if (upstreamResponse.timedOut()) throw GatewayException.upstreamTimeout("the response body stalled");
                throw GatewayException.upstreamUnreachable("the connection broke while reading the response");
            }
            if (body.length > WHOLE_ANSWER_LIMIT) {
                // Too large to be an object the gateway reads: relayed as it comes, like a file's content.
                return answerStreamed(clientRequest, upstreamResponse, body, exchange);
            }
            exchange.firstByte();
            JsonNode json = jsonObject(body);
            exchange.usage(Usage.reportedBy(json));
            exchange.answeredBy(json);
            // Before the client has the id: its next call, on any instance, must find the object its own.
            if (upstreamResponse.status() < 300) {
                owned.recordAnswer(caller.owner(), forward.method(), forward.clientPath(), json);
                // The answer that creates an object spends its own usage; any other may be the first read of one ended.
                if ("POST".equals(forward.method()) && DEFERRING.contains(forward.clientPath())) {
                    deferred.created(caller.keyId(), caller.owner(), json);
                } else {
                    deferred.seen(json);
                }
            }
            copyHeaders(clientRequest, upstreamResponse);
            clientRequest.status(upstreamResponse.status());
            upstreamResponse.header("Content-Type").ifPresent(clientRequest::contentType);
            clientRequest.res().setContentLength(body.length);
            return AsyncBodies.write(clientRequest, body).handle((written, clientGone) -> {
                exchange.finish(clientGone == null ? "completed" : "client_gone", null);
                return null;
            });
        }).thenCompose(written -> written);
    }

    /** The paths whose answers may be objects whose usage comes later (a batch, a background response). */
    private static final java.util.Set<String> DEFERRING = java.util.Set.of("/v1/batches", "/v1/responses");

    /** JSON answers up to this size are read whole (for usage and created ids); larger ones are relayed as they come. */
    private static final int WHOLE_ANSWER_LIMIT = 32 * 1024 * 1024;

    private static boolean isJson(UpstreamResponse upstreamResponse) {
        String type = upstreamResponse.header("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
        return type.isEmpty() || type.startsWith("application/json") || type.contains("+json");
    }

    /**
     * Relays an answer that is not read (audio, a file's content, an image) as it arrives, each chunk written on as it
     * is read, so neither side's size reaches the heap. An upstream that breaks off after the first bytes aborts the
     * client's connection: ending the answer normally would hand the client a truncated file as if it were whole.
     *
     * @param head bytes already read from the body, or null
     */
    private CompletableFuture<?> answerStreamed(Context clientRequest, UpstreamResponse upstreamResponse, byte[] head,
                                                Exchange exchange) {
        copyHeaders(clientRequest, upstreamResponse);
        clientRequest.status(upstreamResponse.status());
        upstreamResponse.header("Content-Type").ifPresent(clientRequest::contentType);
        upstreamResponse.header("Content-Disposition").ifPresent(value -> clientRequest.header("Content-Disposition", value));
        upstreamResponse.header("Content-Length").map(OpenAiRelay::length)
                .filter(n -> n >= 0).ifPresent(n -> clientRequest.res().setContentLengthLong(n));
        exchange.firstByte();
        return AsyncBodies.copy(clientRequest, head, upstreamResponse.source()).thenAccept(copied -> {
            switch (copied) {
                case COMPLETED -> exchange.finish("completed", null);
                // Closing the upstream response cancels the rest of the download.
                case CLIENT_GONE -> exchange.finish("client_gone", null);
                case SOURCE_FAILED -> exchange.finish(upstreamResponse.timedOut() ? "upstream_timeout" : "upstream_failed",
                        "the connection broke while relaying the response");
            }
        });
    }


    private static long length(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Ends the client's connection without completing the answer, so a cut body is never taken for a whole one. */

    private CompletableFuture<?> answerError(Context clientRequest, UpstreamResponse upstreamResponse, Exchange exchange) {
        return AsyncBodies.readUpTo(upstreamResponse.source(), ERROR_LIMIT).exceptionally(broken -> new byte[0]).thenAccept(body -> {
            copyHeaders(clientRequest, upstreamResponse);
            byte[] clientBody = UpstreamErrors.forClient(upstreamResponse.status(), body,
                    upstreamResponse.header("Content-Type").orElse(null), upstream.apiKey());
            clientRequest.status(upstreamResponse.status()).contentType("application/json").result(clientBody);
            exchange.finish("upstream_error", UpstreamErrors.code(clientBody));
        });
    }

    /** An error body larger than this is cut (an error is a sentence; a proxy's HTML page is cut to its start). */
    private static final int ERROR_LIMIT = 1024 * 1024;

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
