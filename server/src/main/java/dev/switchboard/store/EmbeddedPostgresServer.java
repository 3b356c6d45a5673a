package dev.switchboard.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL kept under the data directory. A server already running on that directory (the gateway's,
 * while a {@code switchboard keys} command runs beside it) is attached to rather than started twice.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres owned;
    private final int port;
    private final Path directory;

    private EmbeddedPostgresServer(EmbeddedPostgres owned, int port, Path directory) {
        this.owned = owned;
        this.port = port;
        this.directory = directory;
    }

    /** Attaches to the server running on {@code directory}, or starts one there (creating it on first use). */
    public static EmbeddedPostgresServer attachOrStart(Path directory) throws IOException {
        Optional<Integer> running = runningPort(directory);
        if (running.isPresent()) {
            LOG.info("Using the embedded PostgreSQL already running on {} (port {})", directory, running.get());
            return new EmbeddedPostgresServer(null, running.get(), directory);
        }
        Files.createDirectories(directory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "200")
                // Stopped by close(), after everything that uses it: a shutdown hook of its own would race the
                // gateway's and stop the database under parts still closing (the revocation listener saw it die).
                .setRegisterShutdownHook(false)
                .start();
        return new EmbeddedPostgresServer(postgres, postgres.getPort(), directory);
    }

    public ConnectionInfo connection() {
        return new ConnectionInfo("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null);
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    /** Stops the server if this process started it; an attached server is left running for its owner. */
    @Override
    public void close() throws IOException {
        if (owned != null) owned.close();
    }

    /** Reads {@code postmaster.pid}: its first line is the server's process id, its fourth the port. */
    private static Optional<Integer> runningPort(Path directory) throws IOException {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) return Optional.empty();
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 4) return Optional.empty();
        try {
            long pid = Long.parseLong(lines.get(0).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(Integer.parseInt(lines.get(3).trim())) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
