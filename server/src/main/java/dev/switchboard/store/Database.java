package dev.switchboard.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.config.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The gateway's PostgreSQL: a connection pool, the migrations, and a {@link Jdbi} for the repositories. Opening it
 * starts (or attaches to) the embedded server when no {@code DATABASE_URL} is configured.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final EmbeddedPostgresServer embedded;
    private final ConnectionInfo connection;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource, EmbeddedPostgresServer embedded, ConnectionInfo connection) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.connection = connection;
        this.jdbi = Jdbi.create(new FailFastConnections(dataSource));
        jdbi.registerArgument(new PgText.Arguments());
    }

    /** Connects (starting the embedded server under {@code dataDir/postgres} if needed); does not migrate. */
    public static Database connect(DatabaseSettings settings, Path dataDir) throws IOException {
        EmbeddedPostgresServer embedded = null;
        ConnectionInfo connection;
        if (settings.embedded()) {
            embedded = EmbeddedPostgresServer.attachOrStart(dataDir.resolve("postgres"));
            connection = embedded.connection();
        } else {
            connection = ConnectionInfo.parse(settings.url().orElseThrow().reveal());
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(connection.jdbcUrl());
        if (connection.user() != null) config.setUsername(connection.user());
        if (connection.password() != null) config.setPassword(connection.password());
        config.setPoolName("switchboard");
        config.setMaximumPoolSize(16);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Duration.ofSeconds(2).toMillis());
        config.setInitializationFailTimeout(Duration.ofSeconds(10).toMillis());
        try {
            return new Database(new HikariDataSource(config), embedded, connection);
        } catch (RuntimeException e) {
            if (embedded != null) embedded.close();
            throw new IOException("Cannot connect to PostgreSQL at " + connection.location() + ": " + rootMessage(e), e);
        }
    }

    /** Applies pending migrations; returns how many were applied. */
    public int migrate() {
        return flyway().migrate().migrationsExecuted;
    }

    /** Migrations not yet applied to this database. */
    public int pendingMigrations() {
        return flyway().info().pending().length;
    }

    /** Connections the pool holds now, in use or idle: a number that must stay flat under a steady load. */
    public int poolConnections() {
        var pool = dataSource.getHikariPoolMXBean();
        return pool == null ? 0 : pool.getTotalConnections();
    }

    /** Connections in use now. */
    public int poolConnectionsInUse() {
        var pool = dataSource.getHikariPoolMXBean();
        return pool == null ? 0 : pool.getActiveConnections();
    }

    /** The embedded server, when the gateway uses it. */
    public java.util.Optional<EmbeddedPostgresServer> embedded() {
        return java.util.Optional.ofNullable(embedded);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * A connection of its own, outside the pool, for a long-lived {@code LISTEN}. The caller closes it.
     */
    public Connection openDedicatedConnection() throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        if (connection.user() != null) properties.setProperty("user", connection.user());
        if (connection.password() != null) properties.setProperty("password", connection.password());
        return java.sql.DriverManager.getConnection(connection.jdbcUrl(), properties);
    }

    /** Where the database is, without credentials: for start-up lines and the doctor. */
    public String description() {
        return embedded != null
                ? "embedded PostgreSQL in " + embedded.directory() + " (port " + embedded.port() + ")"
                : "PostgreSQL at " + connection.location();
    }

    /** True when a connection can be had and answers within two seconds. */
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        dataSource.close();
        if (embedded != null) embedded.close();
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return root.getMessage();
    }
}
