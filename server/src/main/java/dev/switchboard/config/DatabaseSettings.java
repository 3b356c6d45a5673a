package dev.switchboard.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Which PostgreSQL to use, and how instances sharing it know which of them are alive.
 *
 * @param url           a {@code DATABASE_URL} ({@code postgres://user:pass@host:port/db} or {@code jdbc:postgresql://...});
 *                      empty means the embedded PostgreSQL kept under the data directory
 * @param instanceLease     how long an instance may go without renewing its heartbeat before it is taken for dead: the
 *                          runs it executes are failed and its requests in flight recorded by another (default 30 s)
 * @param instanceHeartbeat how often each instance renews its heartbeat and settles what dead instances left
 *                          (default 10 s); at most half the lease
 */
public record DatabaseSettings(Optional<Secret> url, Duration instanceLease, Duration instanceHeartbeat) {
    public static final Duration INSTANCE_LEASE = Duration.ofSeconds(30);
    public static final Duration INSTANCE_HEARTBEAT = Duration.ofSeconds(10);

    public DatabaseSettings {
        if (instanceHeartbeat.isNegative() || instanceHeartbeat.isZero()
                || instanceHeartbeat.multipliedBy(2).compareTo(instanceLease) > 0) {
            throw new ConfigException(java.util.List.of("SWITCHBOARD_INSTANCE_HEARTBEAT (" + instanceHeartbeat.toMillis()
                    + " ms) must be positive and at most half of SWITCHBOARD_INSTANCE_LEASE (" + instanceLease.toMillis()
                    + " ms), so that a live instance always renews in time."));
        }
    }

    /** The default lease and heartbeat. */
    public DatabaseSettings(Optional<Secret> url) {
        this(url, INSTANCE_LEASE, INSTANCE_HEARTBEAT);
    }

    public boolean embedded() {
        return url.isEmpty();
    }
}
