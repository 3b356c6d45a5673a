package dev.switchboard.observe;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One client request forwarded upstream, as it happens: who asked, for what, and how it went. Written by the
 * request's thread, read by listeners and the admin API; fields are volatile for that.
 */
public final class Exchange {
    private final String requestId;
    private final String keyId;
    private final String keyName;
    private final String owner;
    private final String endpoint;
    private volatile String model;
    private volatile boolean streaming;
    private final Instant startedAt;
    private final long startedNanos;
    private final ExchangeListener listener;

    private volatile String streamId;
    private volatile boolean answeredByGateway;
    private volatile long firstByteNanos;
    private volatile long finishedNanos;
    private volatile int status;
    private volatile String upstreamRequestId;
    private volatile Usage usage;
    private volatile boolean retrieval;
    private volatile String responseModel;
    private volatile String responseId;
    private volatile String outcome;
    private volatile String error;
    private volatile long events;
    private volatile String endingOutcome;
    private volatile String endingCode;

    public Exchange(String requestId, String keyId, String keyName, String owner, String endpoint, String model,
                    boolean streaming, ExchangeListener listener) {
        this(requestId, keyId, keyName, owner, endpoint, model, streaming, listener, Instant.now(), System.nanoTime());
    }

    /** An exchange made after its request began (the pipeline makes one when it is needed): timed from then. */
    public Exchange(String requestId, String keyId, String keyName, String owner, String endpoint, String model,
                    boolean streaming, ExchangeListener listener, Instant startedAt, long startedNanos) {
        this(requestId, keyId, keyName, owner, endpoint, model, streaming, listener, startedAt, startedNanos, 0);
    }

    /**
     * A request the gateway answered itself with {@code status} (no upstream call), made once it is answered: its
     * listeners see it start already answered, so it is never a request in flight. The caller finishes it.
     */
    public static Exchange answeredByGateway(String requestId, String keyId, String keyName, String owner, String endpoint,
                                             String model, boolean streaming, ExchangeListener listener, Instant startedAt,
                                             long startedNanos, int status) {
        return new Exchange(requestId, keyId, keyName, owner, endpoint, model, streaming, listener, startedAt, startedNanos,
                status);
    }

    private Exchange(String requestId, String keyId, String keyName, String owner, String endpoint, String model,
                     boolean streaming, ExchangeListener listener, Instant startedAt, long startedNanos, int gatewayStatus) {
        if (gatewayStatus != 0) {
            this.status = gatewayStatus;
            this.answeredByGateway = true;
        }
        this.startedAt = startedAt;
        this.startedNanos = startedNanos;
        this.requestId = requestId;
        this.keyId = keyId;
        this.keyName = keyName;
        this.owner = owner;
        this.endpoint = endpoint;
        this.model = model;
        this.streaming = streaming;
        this.listener = listener;
        listener.started(this);
    }

    /** The upstream answered: its status and request id. */
    public void answered(int status, String upstreamRequestId) {
        this.status = status;
        this.upstreamRequestId = upstreamRequestId;
    }

    /**
     * Whether the gateway answered the request itself (an Assistants object read from the database, a refusal of a
     * capability's own) rather than relaying an upstream answer.
     */
    public boolean answeredByGateway() {
        return answeredByGateway;
    }

    public void streamId(String streamId) {
        this.streamId = streamId;
    }

    /** One event relayed; the first also marks the time to first byte. */
    public void eventRelayed() {
        if (events++ == 0) firstByte();
        listener.eventRelayed(this);
    }

    public void firstByte() {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
            listener.firstByte(this);
        }
    }

    /** The model, when it is learned only as the request body passes (a multipart form's {@code model} field). */
    public void model(String model) {
        if (this.model == null) this.model = model;
    }

    /** The answer turned out to be a stream, which the request did not say it asked for. */
    public void streamed() {
        if (streaming) return;
        this.streaming = true;
        listener.becameStream(this);
    }

    /** What the request used; ignored for a {@link #retrieval()}, which uses nothing. */
    public void usage(Usage usage) {
        if (!retrieval) this.usage = usage;
    }

    /**
     * The request reads an object (a response, a batch, a stored completion, a replayed stream) that reports the
     * usage of the request that made it. Usage belongs to the request that spent it, and a retrieval spends nothing:
     * what its answer reports is not recorded for it, so reading an object again never counts its tokens again.
     */
    public void retrieval() {
        this.retrieval = true;
        this.usage = null;
    }

    /** The model that answered, as the answer names it (a dated snapshot of the one asked for); null is ignored. */
    public void responseModel(String model) {
        if (model != null) this.responseModel = model;
    }

    /** The model and id an answer object names ({@code model}, {@code id}); null is ignored. */
    public void answeredBy(com.fasterxml.jackson.databind.JsonNode answer) {
        if (answer == null) return;
        responseModel(answer.path("model").asText(null));
        responseId(answer.path("id").asText(null));
    }

    /** The answer's own id ({@code chatcmpl-…}, {@code resp_…}); null is ignored. */
    public void responseId(String id) {
        if (id != null) this.responseId = id;
    }

    /**
     * The gateway is ending this exchange itself (the instance is shutting down): unless it completes first, it is
     * recorded with {@code outcome} and {@code code}, whatever the path that finishes it reports (a client cut off,
     * an upstream closed).
     */
    public void endingBy(String outcome, String code) {
        this.endingCode = code;
        this.endingOutcome = outcome;
    }

    /** Ends the exchange; only the first call counts. */
    public void finish(String outcome, String error) {
        if (finishedNanos != 0) return;
        if (endingOutcome != null && !"completed".equals(outcome)) {
            outcome = endingOutcome;
            error = endingCode;
        }
        this.outcome = outcome;
        this.error = error;
        this.finishedNanos = System.nanoTime();
        listener.finished(this);
    }

    public String requestId() { return requestId; }
    public String keyId() { return keyId; }
    public String keyName() { return keyName; }
    public String owner() { return owner; }
    public String endpoint() { return endpoint; }
    public String model() { return model; }
    public boolean streaming() { return streaming; }
    public Instant startedAt() { return startedAt; }
    public String streamId() { return streamId; }
    public int status() { return status; }
    public String upstreamRequestId() { return upstreamRequestId; }
    public Usage usage() { return usage; }
    public String responseModel() { return responseModel; }
    public String responseId() { return responseId; }
    public String outcome() { return outcome; }
    public String error() { return error; }
    public long events() { return events; }

    /** Milliseconds from the start to the first byte, or -1 when none came. */
    public long ttfbMillis() {
        return firstByteNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstByteNanos - startedNanos);
    }

    /** Milliseconds from the start to the end (or to now while it runs). */
    public long durationMillis() {
        long end = finishedNanos == 0 ? System.nanoTime() : finishedNanos;
        return TimeUnit.NANOSECONDS.toMillis(end - startedNanos);
    }

    public double ttfbSeconds() {
        return firstByteNanos == 0 ? -1 : (firstByteNanos - startedNanos) / 1e9;
    }

    public double durationSeconds() {
        return durationMillis() / 1e3;
    }
}
