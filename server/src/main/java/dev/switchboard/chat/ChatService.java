package dev.switchboard.chat;

import dev.switchboard.auth.Caller;
import dev.switchboard.config.ChatSettings;
import dev.switchboard.config.ModelSettings;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.realtime.UpstreamLeg;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.GatewayException;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers chat calls: a model whose name contains "realtime" over a Realtime WebSocket of the call's own, any
 * other over streaming Chat Completions. A Realtime answer that cannot start (the socket is refused, breaks, or
 * errs before the first text, or every socket the gateway allows is busy past a short wait) is answered by the
 * fallback model over Chat Completions, for real and streamed; the fallback is logged and counted. A Realtime
 * answer that fails after its first text ends with an error, because answering again would repeat that text.
 */
final class ChatService {
    static final String ENDPOINT = "/api/chat";

    private final UpstreamClient upstream;
    private final UpstreamLeg leg;
    private final ExchangeListener listener;
    private final RequestRecorder recorder;
    private final ChatSettings settings;
    private final Duration idle;
    private final Semaphore sockets;
    private final AtomicLong fallbacks = new AtomicLong();
    private final Counter socketWaits;
    private final Metrics metrics;

    ChatService(UpstreamClient upstream, UpstreamLeg leg, ExchangeListener listener, RequestRecorder recorder,
                ChatSettings settings, Duration idle, Metrics metrics) {
        this.upstream = upstream;
        this.leg = leg;
        this.listener = listener;
        this.recorder = recorder;
        this.settings = settings;
        this.idle = idle;
        this.metrics = metrics;
        this.sockets = new Semaphore(settings.realtimeSockets(), true);
        metrics.gauge("switchboard.chat.realtime.sockets.open", "Realtime WebSockets chat calls hold open now",
                () -> settings.realtimeSockets() - sockets.availablePermits());
        metrics.gauge("switchboard.chat.realtime.sockets.cap", "The most Realtime WebSockets chat calls may hold open at once",
                settings::realtimeSockets);
        this.socketWaits = metrics.counter("switchboard.chat.realtime.socket.waits",
                "Chat calls that had to wait for a Realtime WebSocket");
    }

    /** Chat calls answered by the fallback since this instance started. */
    long fallbacks() {
        return fallbacks.get();
    }

    /**
     * Answers into {@code sink}.
     *
     * @throws GatewayException when no text could be given at all: the status and message of the last failure
     */
    void answer(Admitted admitted, ChatRequest request, ChatSink sink) throws ClientGoneException {
        Caller caller = admitted.caller();
        String requestId = admitted.requestId();
        ChatAnswer answer = new ChatAnswer("chat_" + requestId, sink);
        String restModel = request.model();
        if (ModelSettings.isRealtimeModel(request.model())) {
            String why = tryRealtime(admitted, request, answer);
            if (why == null) return;
            fallBack(caller, requestId, request.model(), why, answer);
            restModel = settings.fallbackModel();
        }
        answer.answeredBy(restModel, ChatAnswer.Mode.REST);
        Exchange exchange = restModel.equals(request.model())
                ? admitted.exchange("/v1/chat/completions", restModel, true)
                : exchange(caller, requestId + "-fallback", "/v1/chat/completions", restModel);
        TurnEnd end = RestTurn.run(upstream, request, restModel, answer, exchange);
        finish(end, answer, exchange);
    }

    /** Answers over Realtime; null when done (answered, failed after text, or the client left), else why it could not. */
    private String tryRealtime(Admitted admitted, ChatRequest request, ChatAnswer answer) throws ClientGoneException {
        if (!acquireSocket()) {
            return "capacity: all " + settings.realtimeSockets() + " Realtime sockets were busy for "
                    + settings.realtimeWait().toMillis() + " ms";
        }
        // The request's own exchange: the attempt is the request, recorded as what answered it.
        Exchange exchange = admitted.exchange("/v1/realtime", request.model(), true);
        TurnEnd end;
        try {
            answer.answeredBy(request.model(), ChatAnswer.Mode.REALTIME);
            end = RealtimeTurn.run(leg, request, request.model(), answer, exchange, idle);
        } finally {
            sockets.release();
        }
        if (end.kind() == TurnEnd.Kind.FAILED_BEFORE_TEXT) {
            exchange.finish("fallback", end.message());
            return end.message();
        }
        finish(end, answer, exchange);
        return null;
    }

    private boolean acquireSocket() {
        if (sockets.tryAcquire()) return true;
        socketWaits.increment();
        try {
            return sockets.tryAcquire(settings.realtimeWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void fallBack(Caller caller, String requestId, String from, String why, ChatAnswer answer) {
        fallbacks.incrementAndGet();
        String reason = why.startsWith("capacity:") ? "capacity" : "realtime_failed";
        metrics.counter("switchboard.chat.fallbacks", "Chat calls answered by the fallback model, by reason", "reason", reason)
                .increment();
        recorder.fallback(new RequestRecorder.FallbackRow(requestId, caller.keyId(), ENDPOINT, from + " (Realtime WebSocket)",
                settings.fallbackModel(), why, Instant.now()));
        answer.fellBack(from, why);
    }

    private void finish(TurnEnd end, ChatAnswer answer, Exchange exchange) throws ClientGoneException {
        switch (end.kind()) {
            case COMPLETED -> {
                exchange.finish("completed", null);
                answer.complete(end.usage(), end.finishReason());
            }
            case CLIENT_GONE -> exchange.finish("client_gone", null);
            case FAILED_AFTER_TEXT -> {
                exchange.finish("upstream_failed", end.message());
                answer.fail(end.code(), end.message());
            }
            case FAILED_BEFORE_TEXT -> {
                exchange.finish("upstream_error", end.message());
                int status = end.status() >= 400 && end.status() < 600 ? end.status() : 502;
                throw new GatewayException(status, status == 429 ? "rate_limit_error" : "upstream_error",
                        end.code(), null, end.message());
            }
        }
    }

    private Exchange exchange(Caller caller, String requestId, String endpoint, String model) {
        return new Exchange(requestId, caller.keyId(), caller.keyName(), caller.owner(), endpoint, model, true, listener);
    }
}
