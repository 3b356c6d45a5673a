package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.switchboard.Gateway;
import dev.switchboard.auth.CreatedKey;
import dev.switchboard.config.ServerSettings;
import dev.switchboard.config.Settings;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code switchboard eval PATH}: runs the scenarios under PATH through a gateway's agent streaming (a gateway started
 * for the run from this configuration, or a running one with {@code --gateway URL --key KEY}), grades them, writes
 * the terminal table, JUnit XML and an HTML report, stores the run for the admin page, and exits 1 when any scenario
 * failed (2 when the scenarios or the options are wrong).
 */
public final class EvalCommand {
    public static final String USAGE = """
            Usage: ./switchboard eval PATH [options]
              PATH                   a scenario file, or a folder of them (.yaml, .yml, .json); see evals/README.md
              --model MODEL          the agent's model when a scenario names none (default: llm_model)
              --agent FILE           an agent session configuration (model, instructions, tools) for every scenario
              --judge-model MODEL    the model that grades rubrics (default gpt-4o-mini)
              --concurrency N        scenarios run at once (default 4)
              --retries N            further attempts of a turn the upstream refused with 429 or 5xx (default 3)
              --junit FILE           JUnit XML report (default eval-results/junit.xml)
              --html FILE            HTML report (default eval-results/report.html)
              --gateway URL --key K  use a running gateway (an admin key also stores the run there); by default a
                                     gateway is started for the run from this configuration""";

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    public EvalCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args, settings.models().chatModel());
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        List<Scenario> scenarios;
        EvalRunner.Defaults defaults;
        try {
            scenarios = ScenarioLoader.load(options.path());
            defaults = options.defaults();
        } catch (ScenarioLoader.Invalid e) {
            err.println("The scenarios cannot run:");
            e.problems.forEach(problem -> err.println("  " + problem));
            return 2;
        }
        return options.gateway() == null ? runOwnGateway(options, scenarios, defaults) : runAgainst(options, scenarios, defaults,
                new GatewayClient(options.gateway(), options.key()), Optional.empty());
    }

    /** Starts a gateway for the run (agent streaming on, a port of its own) with a key made for it and revoked after. */
    private int runOwnGateway(Options options, List<Scenario> scenarios, EvalRunner.Defaults defaults) throws Exception {
        // The run's own requests would bury the progress and the results under access lines.
        System.setProperty("org.slf4j.simpleLogger.log.switchboard.access", "warn");
        ServerSettings server = settings.server();
        Settings own = settings.withFeatures(settings.features().withStreaming())
                .withServer(new ServerSettings("127.0.0.1", 0, server.dataDir(), server.maxBodyBytes(), server.maxWebSocketMessageBytes(), Optional.empty(),
                        ServerSettings.Cors.NONE));
        Gateway gateway;
        try {
            gateway = Gateway.start(own);
        } catch (Exception e) {
            err.println("Could not start a gateway for the evaluation: " + e.getMessage() + "\nIf a gateway is already running "
                    + "on this data directory, evaluate through it: --gateway http://localhost:8080 --key <an admin key>.");
            return 2;
        }
        try {
            CreatedKey key = gateway.keys().create("eval-" + Instant.now().getEpochSecond(), "eval", true);
            try {
                Optional<Emulator> emulator = gateway.builtInEmulator();
                out.println(emulator.isPresent()
                        ? "Evaluating offline: the built-in emulator plays the models (OPENAI_API_KEY is not set)."
                        : "Evaluating against " + settings.upstream().baseUrl().map(URI::toString).orElse("OpenAI") + ".");
                return runAgainst(options, scenarios, defaults,
                        new GatewayClient(URI.create("http://127.0.0.1:" + gateway.port()), key.secret()), emulator);
            } finally {
                gateway.keys().revoke(key.key().id());
            }
        } finally {
            gateway.close();
        }
    }

    private int runAgainst(Options options, List<Scenario> scenarios, EvalRunner.Defaults defaults, GatewayClient gateway,
                           Optional<Emulator> emulator) throws Exception {
        try {
            JsonNode capabilities = gateway.get("/api/agent/capabilities");
            if (!capabilities.path("streaming_enabled").asBoolean()) {
                err.println("The gateway has agent streaming turned off; scenarios run through it. Set OPENAI_STREAMING_ENABLED=true there.");
                return 2;
            }
        } catch (IOException e) {
            err.println("The gateway could not be used: " + e.getMessage());
            return 2;
        }
        Judge judge = new Judge(gateway, options.judgeModel());
        EvalRunner runner = new EvalRunner(gateway, judge, defaults, options.concurrency(), options.retries(),
                Duration.ofMinutes(5), emulator, out);
        Instant started = Instant.now();
        long startedNanos = System.nanoTime();
        List<ScenarioResult> results = runner.run(scenarios);
        Reports.Run run = new Reports.Run(options.path().toString(), defaults.model(), options.judgeModel(), started,
                (System.nanoTime() - startedNanos) / 1_000_000, results);
        out.println();
        Reports.table(run, out);
        Reports.junit(run, options.junit());
        Reports.html(run, options.html());
        out.println("\nJUnit XML: " + options.junit() + "\nHTML report: " + options.html());
        try {
            JsonNode stored = gateway.post("/api/admin/eval-runs", Reports.json(run));
            out.println("Stored as " + stored.path("id").asText() + " (the admin page shows the trend).");
        } catch (GatewayClient.Refused e) {
            out.println("Not stored on the gateway (" + e.getMessage() + "); an admin key stores runs.");
        }
        return run.failed() == 0 ? 0 : 1;
    }

    /** The command's options, checked. */
    record Options(Path path, String model, Path agentFile, String judgeModel, int concurrency, int retries, Path junit,
                   Path html, URI gateway, String key) {

        static Options parse(String[] args, String defaultModel) {
            Path path = null;
            String model = defaultModel;
            Path agent = null;
            String judge = "gpt-4o-mini";
            int concurrency = 4;
            int retries = 3;
            Path junit = Path.of("eval-results", "junit.xml");
            Path html = Path.of("eval-results", "report.html");
            URI gateway = null;
            String key = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    if (path != null) throw new IllegalArgumentException("One PATH only; '" + arg + "' is a second.");
                    path = Path.of(arg);
                    continue;
                }
                if (i + 1 >= args.length) throw new IllegalArgumentException(arg + " needs a value.");
                String value = args[++i];
                switch (arg) {
                    case "--model" -> model = value;
                    case "--agent" -> agent = Path.of(value);
                    case "--judge-model" -> judge = value;
                    case "--concurrency" -> concurrency = positive(arg, value, 64);
                    case "--retries" -> retries = positive(arg, value, 10) ;
                    case "--junit" -> junit = Path.of(value);
                    case "--html" -> html = Path.of(value);
                    case "--gateway" -> gateway = URI.create(value.endsWith("/") ? value : value + "/");
                    case "--key" -> key = value;
                    default -> throw new IllegalArgumentException("Unknown option " + arg + ".");
                }
            }
            if (path == null) throw new IllegalArgumentException("Give the scenarios' PATH.");
            if ((gateway == null) != (key == null)) throw new IllegalArgumentException("--gateway and --key go together.");
            return new Options(path, model, agent, judge, concurrency, retries, junit, html, gateway, key);
        }

        private static int positive(String option, String value, int max) {
            try {
                int n = Integer.parseInt(value);
                if (n >= 0 && n <= max && !(option.equals("--concurrency") && n == 0)) return n;
            } catch (NumberFormatException ignored) {
                // said below
            }
            throw new IllegalArgumentException(option + " must be a whole number up to " + max + ", not '" + value + "'.");
        }

        /** The agent for scenarios that name none: the --agent file, else the model alone. */
        EvalRunner.Defaults defaults() throws ScenarioLoader.Invalid, IOException {
            if (agentFile == null) return new EvalRunner.Defaults(model, null, List.of());
            if (!Files.isRegularFile(agentFile)) throw new ScenarioLoader.Invalid(List.of(agentFile + ": no such file."));
            JsonNode agent = agentFile.toString().endsWith(".json") ? Json.MAPPER.readTree(agentFile.toFile())
                    : new YAMLMapper().readTree(agentFile.toFile());
            List<String> tools = new ArrayList<>();
            agent.path("tools").forEach(tool -> tools.add(tool.asText()));
            return new EvalRunner.Defaults(agent.path("model").asText(model), agent.path("instructions").asText(null), tools);
        }
    }
}
