package dev.switchboard.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL kept under the data directory. A server already running on that directory (the gateway's,
 * while a {@code switchboard keys} command runs beside it) is attached to rather than started twice.
 *
 * <p>A server this process started is watched: if it dies (killed, crashed, out of memory), it is started again on
 * the same port and data, so the pool's next connection reaches it and requests are served again without a restart
 * of the gateway. PostgreSQL recovers its data from its write-ahead log as after any crash.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    /** How often the watchdog looks at the server, and waits between attempts to start it again. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    private volatile EmbeddedPostgres owned;
    /** The postmaster's process id, from {@code postmaster.pid} ({@link EmbeddedPostgres#getProcess} is pg_ctl's). */
    private volatile long postmasterPid;
    private final int port;
    private final Path directory;
    private final ScheduledExecutorService watchdog;
    private volatile boolean closed;
    private final AtomicInteger restarts = new AtomicInteger();

    private EmbeddedPostgresServer(EmbeddedPostgres owned, int port, Path directory) {
        this.owned = owned;
        this.port = port;
        this.directory = directory;
        if (owned == null) {
            this.watchdog = null;
        } else {
            this.postmasterPid = postmasterPid(directory).orElse(-1L);
            this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "embedded-postgres-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            watchdog.scheduleWithFixedDelay(this::watch, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Attaches to the server running on {@code directory}, or starts one there (creating it on first use). */
    public static EmbeddedPostgresServer attachOrStart(Path directory) throws IOException {
        Optional<Integer> running = runningPort(directory);
        if (running.isPresent()) {
            LOG.info("Using the embedded PostgreSQL already running on {} (port {})", directory, running.get());
            return new EmbeddedPostgresServer(null, running.get(), directory);
        }
        Files.createDirectories(directory);
        EmbeddedPostgres postgres = start(directory, 0);
        return new EmbeddedPostgresServer(postgres, postgres.getPort(), directory);
    }

    /** @param port 0 for any free port */
    private static EmbeddedPostgres start(Path directory, int port) throws IOException {
        var builder = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "200")
                // The library's default (off, for tests) loses the last commits when the server dies: a key created
                // or revoked just before a crash would come back unknown or valid. This is the gateway's real database.
                .setServerConfig("synchronous_commit", "on")
                // Stopped by close(), after everything that uses it: a shutdown hook of its own would race the
                // gateway's and stop the database under parts still closing (the revocation listener saw it die).
                .setRegisterShutdownHook(false);
        if (port > 0) builder.setPort(port);
        return builder.start();
    }

    /** The server's process id, when this process started it. */
    public Optional<Long> pid() {
        return owned == null ? Optional.empty() : Optional.of(postmasterPid);
    }

    /** How many times the watchdog started the server again. */
    public int restarts() {
        return restarts.get();
    }

    /** Starts the server again if its process is gone; one attempt per call, so a failed one is retried later. */
    private void watch() {
        EmbeddedPostgres postgres = owned;
        if (closed || postgres == null) return;
        if (postmasterPid < 0) {
            // postmaster.pid could not be read when the server started: a process not known is not a dead one.
            postmasterPid = postmasterPid(directory).orElse(-1L);
            return;
        }
        if (ProcessHandle.of(postmasterPid).map(ProcessHandle::isAlive).orElse(false)) return;
        LOG.error("The embedded PostgreSQL in {} (process {}) has stopped; starting it again on port {}", directory,
                postmasterPid, port);
        try {
            postgres.close(); // releases its lock on the directory; stopping the dead server fails and is only logged
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the stopped embedded PostgreSQL: {}", e.getMessage());
        }
        try {
            EmbeddedPostgres started = start(directory, port);
            synchronized (this) {
                if (closed) {
                    started.close();
                    return;
                }
                postmasterPid = postmasterPid(directory).orElse(-1L);
                owned = started;
            }
            restarts.incrementAndGet();
            LOG.warn("The embedded PostgreSQL is running again (process {}, port {})", postmasterPid, port);
        } catch (IOException | RuntimeException e) {
            // Often the dead server's backends still hold its shared memory for a moment: the next watch tries again.
            LOG.error("Cannot start the embedded PostgreSQL again yet ({}); trying again in {} s", e.getMessage(),
                    WATCH_INTERVAL.toSeconds());
        }
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
        EmbeddedPostgres postgres;
        synchronized (this) {
            closed = true;
            postgres = owned;
        }
        if (watchdog != null) watchdog.shutdownNow();
        if (postgres != null) postgres.close();
    }

    /** The process id {@code postmaster.pid} names, whether or not it still runs. */
    private static Optional<Long> postmasterPid(Path directory) {
        try {
            List<String> lines = Files.readAllLines(directory.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
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
