package dev.switchboard.store;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway instance as the others see it through PostgreSQL alone: a row in {@code gateway_instances} whose
 * heartbeat it renews every {@code SWITCHBOARD_INSTANCE_HEARTBEAT}. What names its instance (runs and agent runs by
 * their executor, requests in flight) is settled by any instance once that instance's heartbeat is older than the
 * lease ({@code SWITCHBOARD_INSTANCE_LEASE}): it crashed, was killed, or lost the database.
 *
 * <p>After each renewal the registered {@link Sweep}s run. They may reclaim other instances' work only once this
 * instance has renewed without a failure for a whole lease: right after an outage (or a start) every live instance
 * must first have had the time to renew, or one whose heartbeat merely waited for the database would lose its runs
 * and have its requests recorded as interrupted.
 */
public final class Instances implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Instances.class);
    /** Rows of instances gone this long are deleted: nothing can name them any more that is not failed already. */
    private static final Duration FORGET_AFTER = Duration.ofDays(1);

    /** Work done after each renewal. */
    @FunctionalInterface
    public interface Sweep {
        /** @param mayReclaim true when other instances' work whose executor lapsed may be taken over now */
        void run(boolean mayReclaim);
    }

    private final Jdbi jdbi;
    private final String id = "gw-" + UUID.randomUUID();
    private final Duration lease;
    private final List<Sweep> sweeps = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "instance-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    /** When renewals began succeeding without a failure since, or -1 while the last one failed. */
    private volatile long renewingSinceNanos = -1;

    public Instances(Jdbi jdbi, Duration interval, Duration lease) {
        this.jdbi = jdbi;
        this.lease = lease;
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** This instance's id, as runs name their executor. */
    public String id() {
        return id;
    }

    /** Runs {@code sweep} after every renewal, on the heartbeat's thread. */
    public void onTick(Sweep sweep) {
        sweeps.add(sweep);
    }

    /**
     * An SQL condition, true when the instance that {@code column} names has not renewed within the lease (or no
     * longer exists); the statement binds {@code :lease_ms} with {@link #leaseMillis()}.
     */
    public static String lapsed(String column) {
        return "not exists (select 1 from gateway_instances i where i.id = " + column
                + " and i.heartbeat_at > now() - :lease_ms * interval '1 millisecond')";
    }

    public long leaseMillis() {
        return lease.toMillis();
    }

    private void tick() {
        boolean renewed = renew();
        boolean mayReclaim = renewed && System.nanoTime() - renewingSinceNanos >= lease.toNanos();
        for (Sweep sweep : sweeps) {
            try {
                sweep.run(mayReclaim);
            } catch (RuntimeException e) {
                // Most often the database went away between the renewal and the sweep; the next tick tries again.
                LOG.warn("A sweep after the instance heartbeat failed; the next one tries again: {}", rootMessage(e));
            }
        }
    }

    private boolean renew() {
        try {
            jdbi.useHandle(h -> {
                h.createUpdate("insert into gateway_instances (id) values (:id) "
                        + "on conflict (id) do update set heartbeat_at = now()").bind("id", id).execute();
                h.createUpdate("delete from gateway_instances where heartbeat_at < now() - :forget * interval '1 second'")
                        .bind("forget", FORGET_AFTER.toSeconds()).execute();
            });
            if (renewingSinceNanos < 0) {
                renewingSinceNanos = System.nanoTime();
                LOG.info("Instance {} renews its heartbeat in the database; an instance silent for {} s is taken for "
                        + "dead, and its runs and requests in flight are closed", id, lease.toSeconds());
            }
            return true;
        } catch (RuntimeException e) {
            if (renewingSinceNanos >= 0) LOG.warn("Instance {} cannot renew its heartbeat: {}", id, rootMessage(e));
            renewingSinceNanos = -1;
            return false;
        }
    }

    /** The driver's own words, not the statement a wrapping exception spells out. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage();
    }

    /** Stops renewing and removes this instance's row: whatever it still ran is reclaimed at once by the others. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            jdbi.useHandle(h -> h.createUpdate("delete from gateway_instances where id = :id").bind("id", id).execute());
        } catch (RuntimeException e) {
            LOG.debug("Instance {} left its row behind: {}", id, e.getMessage());
        }
    }
}
