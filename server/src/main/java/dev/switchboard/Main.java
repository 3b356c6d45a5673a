package dev.switchboard;

import dev.switchboard.cli.DataDirectory;
import dev.switchboard.cli.DevCertCommand;
import dev.switchboard.cli.DoctorCommand;
import dev.switchboard.cli.KeysCommand;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.eval.EvalCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The launcher's entry point: {@code serve} (the default), {@code doctor}, {@code keys}, {@code eval}. */
public final class Main {
    private static final String USAGE = """
            Usage: ./switchboard [command]
              (no command), serve [--port PORT]
                                         start the gateway (on PORT instead of SWITCHBOARD_PORT, default 8080)
              doctor                     check the configuration, database and upstream; exit 1 if anything is wrong
              keys create --name NAME [--owner OWNER] [--admin]
                                         create a gateway API key (shown once)
              keys list                  list gateway API keys
              keys revoke KEY_ID         revoke a key; it is refused from the next request on
              keys limits KEY_ID [...]   show or set a key's limits (--rpm, --streams, --realtime, --tokens-day,
                                         --tokens-month, --models, --endpoints, --clear)
              eval PATH [options]        run evaluation scenarios; ./switchboard eval --help for the options
              dev-cert                   make a self-signed development certificate for HTTPS and wss
            keys, doctor and dev-cert work on the running gateway's data directory (or SWITCHBOARD_DATA_DIR / DATABASE_URL).
            Configuration: environment variables and an optional config.json; see README.md.""";

    private static final Set<String> HELP = Set.of("help", "--help", "-h");
    private static final Set<String> TAKE_NO_ARGUMENTS = Set.of("doctor", "dev-cert");

    private Main() {}

    /** Always ends the JVM with the command's exit code, also when a failure left threads behind. */
    public static void main(String[] args) {
        int exit;
        try {
            exit = run(args, System.getenv(), System.out, System.err);
        } catch (Exception e) {
            System.err.println("Switchboard failed: " + StartupFailure.rootMessage(e));
            exit = 1;
        }
        System.exit(exit);
    }

    /** Runs a command; returns the process exit code. {@code serve} returns only when interrupted. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        // ./switchboard --port 8081 means serve --port 8081.
        boolean optionsOnly = args.length > 0 && args[0].startsWith("-") && !HELP.contains(args[0]);
        String command = args.length == 0 || optionsOnly ? "serve" : args[0];
        String[] rest = optionsOnly ? args : Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        if (TAKE_NO_ARGUMENTS.contains(command) && rest.length > 0) {
            return usage(err, "'" + command + "' takes no arguments; got '" + String.join(" ", rest) + "'.");
        }
        return switch (command) {
            case "serve" -> {
                Map<String, String> withOptions = serveOptions(rest, env, err);
                yield withOptions == null ? 2 : serve(withOptions, out, err);
            }
            case "doctor" -> new DoctorCommand(env, out).run();
            case "keys" -> withSettings(env, err, settings -> onGatewayData(settings, "keys " + String.join(" ", rest), err,
                    chosen -> new KeysCommand(chosen, out, err).run(rest)));
            case "dev-cert" -> withSettings(env, err, settings -> devCert(settings, out, err));
            case "eval" -> rest.length == 1 && rest[0].equals("--help") ? help(out, EvalCommand.USAGE)
                    : withSettings(env, err, settings -> new EvalCommand(settings, out, err).run(rest));
            case "help", "--help", "-h" -> help(out, USAGE);
            default -> usage(err, "Unknown command '" + command + "'.");
        };
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem + "\n" + USAGE);
        return 2;
    }

    private static int help(PrintStream out, String usage) {
        out.println(usage);
        return 0;
    }

    /**
     * The environment with serve's options applied ({@code --port N} or {@code --port=N} sets SWITCHBOARD_PORT), or
     * null, with the usage on {@code err}, for anything else: an unknown option is refused, never ignored.
     */
    private static Map<String, String> serveOptions(String[] options, Map<String, String> env, PrintStream err) {
        Map<String, String> effective = new HashMap<>(env);
        for (int i = 0; i < options.length; i++) {
            String option = options[i];
            String value = option.startsWith("--port=") ? option.substring("--port=".length())
                    : option.equals("--port") && i + 1 < options.length ? options[++i] : null;
            if (value == null) {
                usage(err, option.equals("--port") ? "--port needs a port number, such as --port 8081."
                        : "Unknown option '" + option + "' for serve.");
                return null;
            }
            if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) > 65535) {
                usage(err, "--port " + value + " is not a port number (0 to 65535; 0 picks a free one).");
                return null;
            }
            effective.put("SWITCHBOARD_PORT", value);
        }
        return effective;
    }

    private static int serve(Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        return withSettings(env, err, settings -> {
            Gateway gateway;
            try {
                gateway = Gateway.start(settings);
            } catch (IOException | RuntimeException e) {
                err.println(StartupFailure.explain(e, settings));
                return 1;
            }
            gateway.announce(out, settings.server().host(), settings.server().scheme());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                gateway.shutDown(settings.streams().shutdownGrace());
                stopped.countDown();
            }, "switchboard-shutdown"));
            stopped.await();
            return 0;
        });
    }

    /** A command on the gateway's database: the running gateway's data directory, and never a new, empty one. */
    private static int onGatewayData(Settings settings, String command, PrintStream err, WithSettings body) throws Exception {
        Optional<Settings> chosen = DataDirectory.choose(settings, err);
        if (chosen.isEmpty()) return 1;
        if (!DataDirectory.hasDatabase(chosen.get())) {
            err.println(DataDirectory.noDatabase(chosen.get(), command.strip()));
            return 1;
        }
        return body.run(chosen.get());
    }

    /** The certificate goes where the gateway's data is; a directory no gateway has used is made, and said so. */
    private static int devCert(Settings settings, PrintStream out, PrintStream err) throws Exception {
        Optional<Settings> chosen = DataDirectory.choose(settings, err);
        if (chosen.isEmpty()) return 1;
        if (!DataDirectory.hasDatabase(chosen.get())) {
            err.println("Note: no gateway has used the data directory " + chosen.get().server().dataDir().toAbsolutePath().normalize()
                    + " yet; the certificate goes there. If your gateway keeps its data elsewhere, run this with its "
                    + "SWITCHBOARD_DATA_DIR instead.");
        }
        return new DevCertCommand(chosen.get(), out, err).run();
    }

    interface WithSettings {
        int run(Settings settings) throws Exception;
    }

    private static int withSettings(Map<String, String> env, PrintStream err, WithSettings body) throws Exception {
        Settings settings;
        try {
            settings = SettingsLoader.load(env, SettingsLoader.configFile(env));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.println("Fix the above and start again; './switchboard doctor' checks everything at once.");
            return 1;
        }
        return body.run(settings);
    }
}
