package dev.switchboard.pipeline;

import dev.switchboard.auth.Caller;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.web.GatewayException;
import io.javalin.http.Context;
import java.util.function.BiFunction;

/**
 * A request {@link Admission} let through: its caller, the concurrency slot it holds, and its {@link Exchange} (the
 * one record of the request: metrics, the request-log row, debug events). Handlers get it with {@link #of}; none
 * authenticates or checks limits itself.
 *
 * <p>The exchange is made when it is needed, timed from admission: a handler that sends the request upstream takes
 * it ({@link #exchange()}) and finishes it, as a relay does when its answer ends; otherwise the pipeline makes it when
 * the handler returns, with the gateway's own answer (outcome {@code answered}, or {@code refused} for an error). So
 * a request the gateway answers is in the request log once it is answered, never as a request in flight.
 */
public final class Admitted {
    static final String ATTRIBUTE = "switchboard.admitted";

    private final ApiRoute route;
    private final String requestId;
    private final String endpoint;
    private final Caller caller;
    private final Limits limits;
    private final BiFunction<Admitted, Integer, Exchange> exchanges;
    private final String model;
    private final boolean streams;
    private final java.time.Instant startedAt;
    private final long startedNanos;
    private Limits.Slot slot;
    private Exchange exchange;
    private boolean taken;
    private boolean handedOver;

    Admitted(ApiRoute route, String requestId, String endpoint, Caller caller, Limits limits, String model,
             Limits.Slot slot, BiFunction<Admitted, Integer, Exchange> exchanges) {
        this.route = route;
        this.requestId = requestId;
        this.endpoint = endpoint;
        this.caller = caller;
        this.limits = limits;
        this.model = model;
        this.slot = slot;
        this.streams = slot != null;
        this.startedAt = java.time.Instant.now();
        this.startedNanos = System.nanoTime();
        this.exchanges = exchanges;
    }

    /** The admitted request behind {@code ctx}; every declared route has one. */
    public static Admitted of(Context ctx) {
        Admitted admitted = ctx.attribute(ATTRIBUTE);
        if (admitted == null) throw new IllegalStateException(ctx.path() + " is not a declared route (ApiRoutes)");
        return admitted;
    }

    /** The caller; null only on a {@link ApiRoute.Access#PUBLIC} route. */
    public Caller caller() {
        return caller;
    }

    /** The caller's owner, whose objects the request may name. */
    public String owner() {
        if (caller == null) throw new IllegalStateException("a public route has no owner");
        return caller.owner();
    }

    /** The gateway's id for the request, its request-log row's. */
    public String requestId() {
        return requestId;
    }

    /** The name the request is recorded under: its route's path template, or the name its route gives it. */
    public String endpoint() {
        return endpoint;
    }

    public ApiRoute route() {
        return route;
    }

    /** The model the request names, as its route declares it (checked against the key's models); may be null. */
    public String model() {
        return model;
    }

    /**
     * The request's exchange, taken to send it upstream: whoever takes it finishes it. Made on first demand with the
     * route's endpoint name, the model and whether it streams.
     */
    public synchronized Exchange exchange() {
        taken = true;
        return exchange0();
    }

    /**
     * The request's exchange, taken to send it upstream under another endpoint name or model than its route's (a chat
     * answered over a Realtime socket is recorded as {@code /v1/realtime}). Only before the exchange is made.
     */
    public synchronized Exchange exchange(String endpoint, String model, boolean streaming) {
        if (exchange != null) throw new IllegalStateException("the exchange of " + this.endpoint + " is made already");
        taken = true;
        exchange = exchanges.apply(new Admitted(this, endpoint, model, streaming), null);
        return exchange;
    }

    /** This request as recorded under another name: what {@link #exchange(String, String, boolean)} makes. */
    private Admitted(Admitted request, String endpoint, String model, boolean streaming) {
        this.route = request.route;
        this.endpoint = endpoint;
        this.requestId = request.requestId;
        this.caller = request.caller;
        this.limits = request.limits;
        this.model = model;
        this.streams = streaming;
        this.exchanges = request.exchanges;
        this.startedAt = request.startedAt;
        this.startedNanos = request.startedNanos;
    }

    private Exchange exchange0() {
        if (exchange == null) exchange = exchanges.apply(this, null);
        return exchange;
    }

    /** When admission began: the exchange is timed from then, whenever it is made. */
    java.time.Instant startedAt() {
        return startedAt;
    }

    long startedNanos() {
        return startedNanos;
    }

    /** Whether a concurrent stream (or Realtime session) is held for this request. */
    boolean streams() {
        return streams;
    }

    /**
     * The key's token budgets as they stand now, for a request that answers in several responses (an agent run, a
     * Realtime session): asked between responses with what was used since.
     */
    public Limits.Budget budget() {
        return limits.budget(caller);
    }

    /**
     * A 403 when the key may not use the endpoint {@code path}: for a request this one carries to upstream, which the
     * gateway never admits itself (a line of a batch's input file).
     */
    public void requireEndpoint(String path) {
        limits.requireEndpoint(caller, path);
    }

    /** A 403 when the key may not use {@code model}: for a model a request turns out to name mid-way. */
    public void requireModel(String model) {
        limits.requireModel(caller, model);
    }

    /**
     * One of the key's concurrent streams, for a request whose answer turns out to stream though it did not ask for
     * one (an endpoint that always streams, a form's stream field); the caller closes it when the stream ends.
     */
    public Limits.Slot openStream() {
        return limits.openStream(caller);
    }

    /** One of the key's concurrent Realtime sessions, for a session a request starts mid-way (a brokered call). */
    public Limits.Slot openRealtime() {
        return limits.openRealtime(caller);
    }

    /**
     * Hands the slot to work that outlives the request's handler (a WebSocket session): the pipeline no longer frees
     * it, and the returned slot is closed by its new holder. The exchange, if taken, is the holder's too.
     */
    public synchronized Limits.Slot handOver() {
        handedOver = true;
        Limits.Slot held = slot == null ? Limits.Slot.none() : slot;
        slot = null;
        return held;
    }

    /** The handler returned: an exchange it did not take records the gateway's own answer; the slot is freed. */
    synchronized void answered(int status) {
        if (!taken) exchanges.apply(this, status).finish(status < 400 ? "answered" : "refused", null);
        release();
    }

    /** The handler failed: its exchange ends so, whoever took it, unless it has already ended. */
    synchronized void failed(Exception e) {
        String code = e instanceof GatewayException refusal ? refusal.code() : e.getClass().getSimpleName();
        if (!taken) {
            int status = e instanceof GatewayException refusal ? refusal.status() : 500;
            exchanges.apply(this, status).finish(status < 500 ? "refused" : "failed", code);
        } else if (!handedOver) {
            // The taker ends its exchange as its answer ends; one a failure cut short ends here (only the first counts).
            exchange.finish("failed", code);
        }
        release();
    }

    private void release() {
        if (slot != null) slot.close();
        slot = null;
    }
}
