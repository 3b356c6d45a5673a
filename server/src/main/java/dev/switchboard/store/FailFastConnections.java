package dev.switchboard.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;

/**
 * The pool's connections for {@link org.jdbi.v3.core.Jdbi}, refused at once while PostgreSQL is known to be
 * unreachable. Without it every query of an outage waits the pool's whole connection timeout, and a request that
 * reads its key, its limits and its budget would wait that several times over before each part falls back to what
 * it last read. Once the pool fails to reach the database, asks fail immediately for {@link #COOL_DOWN}; then the
 * next ask tries the database again. A pool that is only busy (every connection in use, the database fine) is a
 * wait, not an outage, and changes nothing here.
 */
final class FailFastConnections implements ConnectionFactory {
    static final Duration COOL_DOWN = Duration.ofSeconds(3);

    private final DataSource pool;
    private volatile long unreachableSinceNanos;
    private volatile boolean unreachable;

    FailFastConnections(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Connection openConnection() throws SQLException {
        long since = System.nanoTime() - unreachableSinceNanos;
        if (unreachable && since < COOL_DOWN.toNanos()) {
            throw new SQLTransientConnectionException("PostgreSQL was unreachable " + since / 1_000_000
                    + " ms ago; not waiting for it again until " + COOL_DOWN.toSeconds() + " s have passed");
        }
        try {
            Connection connection = pool.getConnection();
            unreachable = false;
            return connection;
        } catch (SQLTransientConnectionException timedOut) {
            // The pool names the failure of its last attempt to connect as the cause; a merely busy pool names none.
            if (timedOut.getCause() != null) {
                unreachableSinceNanos = System.nanoTime();
                unreachable = true;
            }
            throw timedOut;
        }
    }
}
