package dev.switchboard.auth;

import dev.switchboard.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL for key revocations made by any process (this instance, another instance, the
 * {@code keys revoke} command) and tells the key cache. While the listener is not connected the cache must not be
 * trusted, because a revocation could be missed: {@link #connected()} says so.
 */
final class RevocationListener implements AutoCloseable {
    static final String CHANNEL = "switchboard_api_keys";
    private static final Logger LOG = LoggerFactory.getLogger(RevocationListener.class);
    private static final int POLL_MILLIS = 1000;

    private final Database database;
    private final Runnable onRevocation;
    private final Thread thread;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Connection connection;

    /**
     * @param onRevocation called (on the listener's thread) for every revocation and on every (re)connection,
     *                     since revocations made while it was not listening are unknown
     */
    RevocationListener(Database database, Runnable onRevocation) {
        this.database = database;
        this.onRevocation = onRevocation;
        this.thread = Thread.ofVirtual().name("key-revocations").start(this::run);
    }

    boolean connected() {
        return connected;
    }

    private void run() {
        long backoff = 500;
        while (!closed) {
            try (Connection c = database.openDedicatedConnection(); Statement listen = c.createStatement()) {
                connection = c;
                listen.execute("LISTEN " + CHANNEL);
                // Anything revoked while we were not listening is unknown: start from an empty cache.
                onRevocation.run();
                connected = true;
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && notifications.length > 0) onRevocation.run();
                }
            } catch (SQLException e) {
                if (closed) return;
                if (connected) LOG.warn("Lost the key revocation listener ({}); keys are checked in the database until it is back",
                        e.getMessage());
                // Not trusted from now on; cleared on reconnect. The memory itself stays, for a database outage.
                connected = false;
                sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        thread.interrupt();
    }
}
