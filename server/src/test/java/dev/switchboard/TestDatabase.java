package dev.switchboard;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * One embedded PostgreSQL for the whole test JVM, and fresh empty databases on it (or on the machine's server)
 * for tests that need a schema of their own.
 */
public final class TestDatabase {
    private static EmbeddedPostgres embedded;

    private TestDatabase() {}

    /** A JDBC URL for the shared embedded server's {@code postgres} database. */
    public static synchronized String sharedUrl() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = embedded;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres?user=postgres";
    }

    /** Drops a database made by {@link #freshDatabase}; connections to it must be closed. */
    public static void drop(String adminUrl, String databaseUrl) throws SQLException {
        int slash = databaseUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = databaseUrl.indexOf('?');
        String name = databaseUrl.substring(slash + 1, query < 0 ? databaseUrl.length() : query);
        if (!name.startsWith("sb_test_")) throw new IllegalArgumentException("not a test database: " + name);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }

    /** Creates an empty database beside {@code adminUrl}'s and returns its URL. */
    public static String freshDatabase(String adminUrl) throws SQLException {
        String name = "sb_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        int slash = adminUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = adminUrl.indexOf('?');
        return adminUrl.substring(0, slash + 1) + name + (query < 0 ? "" : adminUrl.substring(query));
    }
}
