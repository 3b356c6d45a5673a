package dev.switchboard.store;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's entry in {@code gateway_instances}, and its heartbeat: the one record, in PostgreSQL alone, by
 * which instances sharing a database know which of them are alive. An instance whose heartbeat is older than
 * {@link #LEASE} is dead (killed, or cut off from the database), and what it left unfinished is for the living to
 * settle. Tasks given to {@link #afterEachHeartbeat} run on the heartbeat's thread after each heartbeat written,
 * so that only an instance that reaches the database, and is itself alive in the table, settles anybody else's.
 *
 * <p>SQL elsewhere tells the living from the dead with {@link #ALIVE}: {@code instance_id in (ALIVE)}.
 */
public final class GatewayInstances implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayInstances.class);
    /** How often the heartbeat is written. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** A heartbeat older than this is a dead instance's: three heartbeats, so one slow write is not death. */
    public static final Duration LEASE = Duration.ofSeconds(15);
    /** The ids of the instances alive now, as a subquery. */
    public static final String ALIVE = "select id from gateway_instances where heartbeat_at > now() - interval '"
            + LEASE.toSeconds() + " seconds'";
    /** Dead instances' entries are kept this long, for whoever settles their leftovers, then forgotten. */
    private static final String FORGET_AFTER = "1 day";

    private final Jdbi jdbi;
    private final String id = "gw_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private final String host = hostName();
    private final List<Runnable> tasks = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "gateway-instance-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    /** Registers this instance (while the database is down, the first heartbeat that gets through does). */
    public GatewayInstances(Jdbi jdbi) {
        this.jdbi = jdbi;
        timer.scheduleWithFixedDelay(this::beat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** This instance's id, new at every start. */
    public String id() {
        return id;
    }

    /** Runs {@code task} after every heartbeat written (and once soon after start-up); it must not throw. */
    public void afterEachHeartbeat(Runnable task) {
        tasks.add(task);
    }

    private void beat() {
        try {
            jdbi.useHandle(h -> {
                h.createUpdate("""
                                insert into gateway_instances (id, host, pid) values (:id, :host, :pid)
                                on conflict (id) do update set heartbeat_at = now()""")
                        .bind("id", id).bind("host", host).bind("pid", ProcessHandle.current().pid()).execute();
                h.execute("delete from gateway_instances where heartbeat_at < now() - interval '" + FORGET_AFTER + "'");
            });
        } catch (RuntimeException e) {
            // The database is away: nothing is settled until it is back, and then the heartbeat comes first.
            LOG.debug("Instance heartbeat not written: {}", e.getMessage());
            return;
        }
        for (Runnable task : tasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("A task after the instance heartbeat failed: {}", e.getMessage());
            }
        }
    }

    /** Stops the heartbeat and removes this instance's entry: it has settled what it leaves (or left it to others). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            jdbi.useHandle(h -> h.createUpdate("delete from gateway_instances where id = :id").bind("id", id).execute());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("Instance entry not removed (its heartbeat lapses instead): {}", e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
