package dev.switchboard;

import dev.switchboard.config.Settings;
import java.net.BindException;

/**
 * Why the gateway could not start, said to the person who started it: what is wrong and what to change, without a
 * stack trace. The failure's own message is kept when nothing better is known; the launcher then exits non-zero at
 * once, so a supervisor's restart-on-failure sees it.
 */
final class StartupFailure {
    private StartupFailure() {}

    static String explain(Throwable failure, Settings settings) {
        String host = settings.server().host();
        int port = settings.server().port();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException bind) return cannotListen(bind, host, port);
            String message = cause.getMessage() == null ? "" : cause.getMessage();
            if (message.startsWith("could not lock")) return embeddedDatabase(settings, "it is locked by another process");
            if (message.contains("/initdb,")) return embeddedDatabase(settings, "creating its database (initdb) failed");
            if (message.contains("/pg_ctl,")) return embeddedDatabase(settings, "the PostgreSQL server did not start");
        }
        if (failure.getMessage() != null && failure.getMessage().startsWith("Cannot connect to PostgreSQL")) {
            return "Switchboard could not start: " + failure.getMessage() + "\n"
                    + "Check DATABASE_URL, and that PostgreSQL is running and accepts connections from this machine.";
        }
        return "Switchboard could not start: " + rootMessage(failure) + "\n"
                + "Fix the above and start again; './switchboard doctor' checks the configuration, database and upstream.";
    }

    private static String cannotListen(BindException bind, String host, int port) {
        String reason = bind.getMessage() == null ? "" : bind.getMessage();
        if (reason.contains("in use")) {
            return "Port " + port + " on " + host + " is already in use by another program (another Switchboard?).\n"
                    + "Stop that program, or start on another port: ./switchboard --port " + alternative(port)
                    + " (or set SWITCHBOARD_PORT=" + alternative(port) + ", or \"port\" in config.json).";
        }
        if (reason.contains("ermission")) {
            return "Switchboard may not listen on port " + port + " (ports below 1024 need privileges). Choose a port "
                    + "above 1023: ./switchboard --port 8080 (or set SWITCHBOARD_PORT).";
        }
        return "Switchboard cannot listen on " + host + ":" + port + " (" + reason + "). SWITCHBOARD_HOST must be an "
                + "address of this machine, such as 127.0.0.1 or 0.0.0.0 for every interface.";
    }

    /** The embedded PostgreSQL's own failures name its binaries and arguments, which tell the user nothing. */
    private static String embeddedDatabase(Settings settings, String what) {
        return "The embedded PostgreSQL in " + settings.server().dataDir().toAbsolutePath().normalize().resolve("postgres")
                + " could not start: " + what + ".\n"
                + "Another Switchboard may be using this data directory (still starting, or as another user), or the "
                + "directory holds something other than a Switchboard database. Stop the other process, or give this "
                + "gateway a data directory of its own: SWITCHBOARD_DATA_DIR=/path/to/other ./switchboard";
    }

    private static int alternative(int port) {
        return port == 65535 || port == 0 ? 8081 : port + 1;
    }

    /** The failure's message with the innermost one, which names what failed, when it does not already say it. */
    static String rootMessage(Throwable failure) {
        String root = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getMessage() != null) root = cause.getMessage();
        }
        String outer = failure.getMessage();
        if (outer == null) return root == null ? failure.getClass().getSimpleName() : root;
        return root == null || outer.contains(root) ? outer : outer + ": " + root;
    }
}
