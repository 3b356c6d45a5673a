package dev.switchboard.assistants;

import dev.switchboard.store.Instances;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After each heartbeat of this instance: writes the final states of runs that ended here while the database was
 * away, then, when {@link Instances} allows it, fails the runs whose executing instance is gone (killed, crashed,
 * cut off from the database past the lease), so that their threads take new runs. Every instance does this, with or
 * without Redis; the database statement lets one of them fail each run.
 */
final class RunReclaimer implements Instances.Sweep {
    private static final Logger LOG = LoggerFactory.getLogger(RunReclaimer.class);
    static final String LOST = "The gateway instance executing this run stopped (it crashed, was killed, or lost its database) "
            + "before the run was complete. Start a new run.";

    private final RunEngine engine;
    private final RunStore store;
    private final long leaseMillis;

    RunReclaimer(RunEngine engine, RunStore store, long leaseMillis) {
        this.engine = engine;
        this.store = store;
        this.leaseMillis = leaseMillis;
    }

    @Override
    public void run(boolean mayReclaim) {
        engine.settleKept();
        if (!mayReclaim) return;
        List<String> failed = store.failLapsed(leaseMillis, LOST);
        if (!failed.isEmpty()) LOG.warn("Failed {} run(s) whose executing instance stopped: {}", failed.size(), failed);
    }
}
