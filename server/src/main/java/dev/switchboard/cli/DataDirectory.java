package dev.switchboard.cli;

import dev.switchboard.config.ServerSettings;
import dev.switchboard.config.Settings;
import dev.switchboard.store.RunningGateways;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which data directory a command ({@code keys}, {@code doctor}, {@code dev-cert}) works on: the one it is given
 * ({@code SWITCHBOARD_DATA_DIR} or {@code data_dir}), else the one of the gateway running on this machine, else the
 * default. A command never makes a new, empty database behind the user's back: without one it is refused (or, for
 * the doctor, reported) with how to point it at the gateway's.
 */
public final class DataDirectory {
    private DataDirectory() {}

    /**
     * The settings with the data directory the command should use, saying on {@code note} when it is a running
     * gateway's rather than the default; empty, with the reason on {@code note}, when it cannot tell which.
     */
    public static Optional<Settings> choose(Settings settings, PrintStream note) {
        if (!settings.database().embedded()) return Optional.of(settings);
        Path configured = absolute(settings.server().dataDir());
        if (!configured.equals(absolute(ServerSettings.DEFAULT_DATA_DIR))) return Optional.of(settings);
        List<RunningGateways.Entry> running = RunningGateways.list();
        List<Path> directories = running.stream().map(RunningGateways.Entry::dataDir).map(DataDirectory::absolute)
                .distinct().toList();
        if (directories.isEmpty() || directories.contains(configured)) return Optional.of(settings);
        if (directories.size() == 1) {
            RunningGateways.Entry gateway = running.getFirst();
            note.println("Using the data directory of the gateway running on port " + gateway.port() + " (process "
                    + gateway.pid() + "): " + directories.getFirst() + ". Set SWITCHBOARD_DATA_DIR to use another.");
            return Optional.of(settings.withServer(settings.server().withDataDir(directories.getFirst())));
        }
        note.println("Several gateways are running, with different data directories; say which one this command is for:");
        for (RunningGateways.Entry gateway : running) {
            note.println("  SWITCHBOARD_DATA_DIR=" + gateway.dataDir() + "   (port " + gateway.port() + ", process " + gateway.pid() + ")");
        }
        return Optional.empty();
    }

    /** True when there is a database to work on: an external one, or an embedded one a gateway has created. */
    public static boolean hasDatabase(Settings settings) {
        return !settings.database().embedded() || RunningGateways.hasDatabase(settings.server().dataDir());
    }

    /** Why there is no database, and how to point the command at the gateway's. */
    public static String noDatabase(Settings settings, String command) {
        return "No Switchboard database in " + absolute(settings.server().dataDir()) + ": no gateway has run with this "
                + "data directory, and none running on this machine uses another.\n"
                + "Start the gateway first (./switchboard): it creates the database and prints an admin key. If your "
                + "gateway keeps its data elsewhere, give this command the same setting:\n"
                + "  SWITCHBOARD_DATA_DIR=/path/to/its/data ./switchboard " + command
                + "   (or DATABASE_URL, when it uses an external PostgreSQL)";
    }

    static Path absolute(Path directory) {
        return directory.toAbsolutePath().normalize();
    }
}
