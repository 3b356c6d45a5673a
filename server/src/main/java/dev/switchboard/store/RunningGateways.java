package dev.switchboard.store;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the gateways running on this machine keep their data, so that {@code switchboard keys} and the other
 * commands find the running gateway's database from any directory and without being given its
 * {@code SWITCHBOARD_DATA_DIR}. Each gateway with an embedded database writes one small file under
 * {@code ~/.switchboard/running} while it runs (its process id, port and data directory; nothing secret) and removes
 * it when it stops; files of processes no longer alive are ignored and removed.
 */
public final class RunningGateways {
    private static final Logger LOG = LoggerFactory.getLogger(RunningGateways.class);

    /** A gateway running now. */
    public record Entry(long pid, int port, Path dataDir) {}

    private RunningGateways() {}

    /** Records this process's gateway until the returned handle is closed; a home that cannot be written is skipped. */
    public static AutoCloseable register(Path dataDir, int port) {
        return register(directory(), dataDir, port);
    }

    static AutoCloseable register(Path directory, Path dataDir, int port) {
        long pid = ProcessHandle.current().pid();
        Path file = directory.resolve(pid + "-" + port + ".properties");
        Properties entry = new Properties();
        entry.setProperty("pid", String.valueOf(pid));
        entry.setProperty("port", String.valueOf(port));
        entry.setProperty("data_dir", dataDir.toAbsolutePath().normalize().toString());
        try {
            Files.createDirectories(file.getParent());
            try (Writer writer = Files.newBufferedWriter(file)) {
                entry.store(writer, "A Switchboard gateway running now; removed when it stops");
            }
        } catch (IOException e) {
            LOG.debug("Cannot record the running gateway in {}: {}", file, e.toString());
            return () -> { };
        }
        return () -> Files.deleteIfExists(file);
    }

    /** The gateways running now. */
    public static List<Entry> list() {
        return list(directory());
    }

    static List<Entry> list(Path directory) {
        List<Entry> running = new ArrayList<>();
        if (!Files.isDirectory(directory)) return running;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.properties")) {
            for (Path file : files) {
                Properties entry = new Properties();
                try (Reader reader = Files.newBufferedReader(file)) {
                    entry.load(reader);
                    long pid = Long.parseLong(entry.getProperty("pid", "-1"));
                    if (ProcessHandle.of(pid).filter(RunningGateways::aJvm).isPresent()) {
                        running.add(new Entry(pid, Integer.parseInt(entry.getProperty("port", "0")),
                                Path.of(entry.getProperty("data_dir"))));
                    } else {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException | RuntimeException unreadable) {
                    LOG.debug("Ignoring {}: {}", file, unreadable.toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", directory, e.toString());
        }
        return running;
    }

    /** True when the data directory holds an embedded database, that is, a gateway has started with it. */
    public static boolean hasDatabase(Path dataDir) {
        return Files.isRegularFile(dataDir.resolve("postgres").resolve("PG_VERSION"));
    }

    /** Alive, and not another program that was given the process id of a gateway that ended without its goodbye. */
    private static boolean aJvm(ProcessHandle process) {
        return process.isAlive() && process.info().command().map(command -> command.endsWith("java")).orElse(true);
    }

    private static Path directory() {
        return Path.of(System.getProperty("user.home"), ".switchboard", "running");
    }
}
