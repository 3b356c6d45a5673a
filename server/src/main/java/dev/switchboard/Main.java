package dev.switchboard;

import dev.switchboard.cli.DevCertCommand;
import dev.switchboard.cli.DoctorCommand;
import dev.switchboard.cli.KeysCommand;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.eval.EvalCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The launcher's entry point: {@code serve} (the default), {@code doctor}, {@code keys}, {@code eval}. */
public final class Main {
    private static final String USAGE = """
            Usage: ./switchboard [command]
              (no command), serve        start the gateway
              doctor                     check the configuration, database and upstream; exit 1 if anything is wrong
              keys create --name NAME [--owner OWNER] [--admin]
                                         create a gateway API key (shown once)
              keys list                  list gateway API keys
              keys revoke KEY_ID         revoke a key; it is refused from the next request on
              keys limits KEY_ID [...]   show or set a key's limits (--rpm, --streams, --realtime, --tokens-day,
                                         --tokens-month, --models, --endpoints, --clear)
              eval PATH [options]        run evaluation scenarios; ./switchboard eval --help for the options
              dev-cert                   make a self-signed development certificate for HTTPS and wss
            Configuration: environment variables and an optional config.json; see README.md.""";

    private Main() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs a command; returns the process exit code. {@code serve} returns only when interrupted. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "serve" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        return switch (command) {
            case "serve" -> serve(env, out, err);
            case "doctor" -> new DoctorCommand(env, out).run();
            case "keys" -> withSettings(env, err, settings -> new KeysCommand(settings, out, err).run(rest));
            case "dev-cert" -> withSettings(env, err, settings -> new DevCertCommand(settings, out, err).run());
            case "eval" -> rest.length == 1 && rest[0].equals("--help") ? help(out, EvalCommand.USAGE)
                    : withSettings(env, err, settings -> new EvalCommand(settings, out, err).run(rest));
            case "help", "--help", "-h" -> help(out, USAGE);
            default -> {
                err.println("Unknown command '" + command + "'.\n" + USAGE);
                yield 2;
            }
        };
    }

    private static int help(PrintStream out, String usage) {
        out.println(usage);
        return 0;
    }

    private static int serve(Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        return withSettings(env, err, settings -> {
            Gateway gateway = Gateway.start(settings);
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
