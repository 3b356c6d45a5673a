package dev.switchboard.debug;

import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a row in {@code requests_in_flight} for every exchange of this instance while it runs, so that a request
 * whose instance dies (SIGKILL, a crash, the machine gone) is not lost with it: another instance, or this one's
 * next start, moves the rows of a dead instance into {@code request_log} with outcome {@code interrupted}.
 *
 * <p>Nothing here is on the relay path. A start is queued and written by a writer of its own, at once rather than in
 * a timed batch (a kill comes before a batch would); its row is removed in the transaction that writes the request's
 * {@code request_log} row ({@link RequestLogRepository#insertRequests}), so a request is never counted twice. After
 * each instance heartbeat the rows of live requests are brought up to date (stream id, status, events, usage), so
 * an interrupted row says how far its request had got.
 */
public final class InFlightRequests implements ExchangeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InFlightRequests.class);
    private static final int CAPACITY = 100_000;
    private static final int BATCH = 500;
    private static final Duration POLL = Duration.ofMillis(200);

    private final RequestLogRepository repository;
    private final String instanceId;
    private final BatchWriter<RequestRow> writer;
    /** The exchanges running now, with the number of events their row last said. */
    private final Map<Exchange, Long> live = new ConcurrentHashMap<>();
    /** Once the instance ends what runs ({@link #endAll}): the outcome and code every exchange is then ended with. */
    private volatile String[] ending;

    public InFlightRequests(RequestLogRepository repository, String instanceId) {
        this.repository = repository;
        this.instanceId = instanceId;
        this.writer = new BatchWriter<>("requests-in-flight", CAPACITY, BATCH, POLL,
                rows -> repository.upsertInFlight(instanceId, rows));
    }

    @Override
    public void started(Exchange exchange) {
        // Made once answered, never in flight: its row is written as it finishes.
        if (exchange.answeredByGateway()) return;
        String[] endedBy = ending;
        if (endedBy != null) exchange.endingBy(endedBy[0], endedBy[1]);
        live.put(exchange, 0L);
        writer.offer(RequestRow.of(exchange));
    }

    @Override
    public void finished(Exchange exchange) {
        live.remove(exchange);
    }

    /**
     * The instance is ending every exchange (it is shutting down): those running now, and any that starts from now
     * on, are recorded with {@code outcome} and {@code code} unless they complete ({@link Exchange#endingBy}).
     */
    public void endAll(String outcome, String code) {
        ending = new String[] {outcome, code};
        live.keySet().forEach(exchange -> exchange.endingBy(outcome, code));
    }

    public int size() {
        return live.size();
    }

    /** Queues the rows of live exchanges that relayed events since their row was written. */
    public void refresh() {
        live.replaceAll((exchange, written) -> {
            long events = exchange.events();
            if (events != written) writer.offer(RequestRow.of(exchange));
            return events;
        });
    }

    /**
     * Records the requests of dead instances as {@code interrupted}, and forgets this instance's rows whose request
     * is recorded already (a start written after its request's row). Run after a heartbeat, once this instance may
     * take others for dead (see {@code store.Instances}): an instance is dead when its heartbeat is older than
     * {@code leaseMillis}.
     */
    public void settleDeadInstances(long leaseMillis) {
        int settled = repository.settleInFlight(instanceId, false, leaseMillis, "interrupted", "gateway_instance_lost");
        if (settled > 0) LOG.info("Recorded {} request(s) of stopped gateway instance(s) as interrupted", settled);
        repository.forgetRecordedInFlight(instanceId);
    }

    /**
     * At a clean stop, once the request log is flushed: the requests of this instance that still have no row (they
     * did not finish, or their row could not be queued) are recorded with outcome {@code shutdown}.
     */
    public void settleOwn() {
        try {
            int settled = repository.settleInFlight(instanceId, true, 0, "shutdown", "gateway_shutting_down");
            if (settled > 0) LOG.info("Recorded {} request(s) cut by the shutdown", settled);
        } catch (RuntimeException e) {
            LOG.warn("Requests in flight not settled at shutdown ({}); another instance or the next start will", e.getMessage());
        }
    }

    public int queueDepth() {
        return writer.depth();
    }

    /** Writes the queued starts, then stops. */
    @Override
    public void close() {
        writer.close();
    }
}
