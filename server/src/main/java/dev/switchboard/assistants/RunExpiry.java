package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires runs that waited for tool outputs past their {@code expires_at}, as the Assistants API did: the run
 * becomes {@code expired} and its waiting tool-call step too. One sweep every {@link #PERIOD}, on any instance
 * (the update is idempotent).
 */
final class RunExpiry implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(RunExpiry.class);

    private final Jdbi jdbi;
    private final RunStore store;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "run-expiry");
        t.setDaemon(true);
        return t;
    });

    RunExpiry(Jdbi jdbi, RunStore store) {
        this.jdbi = jdbi;
        this.store = store;
        sweeper.scheduleWithFixedDelay(this::sweep, PERIOD.toSeconds(), PERIOD.toSeconds(), TimeUnit.SECONDS);
    }

    /** Expires every due run now; returns how many. */
    int sweep() {
        try {
            List<String[]> due = jdbi.withHandle(h -> h.createQuery("select owner, id from runs where body->>'status' = 'requires_action' "
                            + "and (body->>'expires_at')::bigint < :now")
                    .bind("now", ObjectIds.nowSeconds()).map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list());
            for (String[] run : due) expire(run[0], run[1]);
            return due.size();
        } catch (RuntimeException e) {
            LOG.warn("Run expiry sweep failed: {}", e.getMessage());
            return 0;
        }
    }

    /** Expires one run if it still waits (another instance may have expired it, or outputs may have arrived). */
    void expire(String owner, String runId) {
        store.runs.find(owner, runId).filter(r -> r.path("status").asText().equals("requires_action")).ifPresent(run -> {
            run.put("status", "expired").putNull("required_action");
            store.runs.replace(owner, run);
            for (ObjectNode step : store.steps.list(owner, runId, new Page(100, false, null, null))) {
                if (step.path("status").asText().equals("in_progress")) {
                    step.put("status", "expired").put("expired_at", ObjectIds.nowSeconds());
                    store.steps.replace(owner, step);
                }
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
