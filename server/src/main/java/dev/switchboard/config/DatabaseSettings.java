package dev.switchboard.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Which PostgreSQL to use, and how instances watch each other's runs through it.
 *
 * @param url           a {@code DATABASE_URL} ({@code postgres://user:pass@host:port/db} or {@code jdbc:postgresql://...});
 *                      empty means the embedded PostgreSQL kept under the data directory
 * @param runLease      how long an instance may go without renewing its heartbeat before the runs it executes are
 *                      failed by another (default 30 s)
 * @param sweepInterval how often each instance renews its heartbeat and looks for runs whose executor is gone
 *                      (default 10 s); less than half the lease
 */
public record DatabaseSettings(Optional<Secret> url, Duration runLease, Duration sweepInterval) {
    public static final Duration RUN_LEASE = Duration.ofSeconds(30);
    public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);

    public DatabaseSettings {
        if (sweepInterval.isNegative() || sweepInterval.isZero() || sweepInterval.multipliedBy(2).compareTo(runLease) > 0) {
            throw new ConfigException(java.util.List.of("SWITCHBOARD_RUN_SWEEP_INTERVAL (" + sweepInterval.toMillis() + " ms) must be positive and at most "
                    + "half of SWITCHBOARD_RUN_LEASE (" + runLease.toMillis() + " ms), so that a live instance always renews in time."));
        }
    }

    /** The defaults for the runs' lease and sweep. */
    public DatabaseSettings(Optional<Secret> url) {
        this(url, RUN_LEASE, SWEEP_INTERVAL);
    }

    public boolean embedded() {
        return url.isEmpty();
    }
}
