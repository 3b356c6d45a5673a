package dev.switchboard.stream;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends, every few seconds, the streams whose writing instance is gone, whether or not a client comes back to resume
 * them: a run that instance was executing is then recorded as failed and its request accounted, instead of staying
 * in progress for whoever polls it. Every instance sweeps; {@link EventLog#adopt} lets one of them end each stream.
 */
public final class OrphanSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

    private final LogFollower follower;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "orphan-stream-sweeper");
        thread.setDaemon(true);
        return thread;
    });

    /** Starts sweeping {@code follower}'s log at {@code interval}; call once every stream ending is registered. */
    public OrphanSweeper(LogFollower follower, Duration interval) {
        this.follower = follower;
        timer.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            for (String streamId : follower.log().orphans()) follower.endOrphan(streamId);
        } catch (RuntimeException e) {
            // Redis away or slow: the next sweep tries again, and readers still end what they find.
            LOG.debug("Orphaned stream sweep skipped: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
