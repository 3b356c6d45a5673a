package dev.switchboard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ModelSettings;
import dev.switchboard.config.Secret;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import dev.switchboard.store.Database;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code switchboard doctor}: checks each thing the gateway needs and prints, for each, OK or what to fix. Exits
 * 1 when anything failed, so it can gate a deployment.
 */
public final class DoctorCommand {
    private final Map<String, String> env;
    private final PrintStream out;
    private boolean failed;

    public DoctorCommand(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    public int run() {
        out.println("Switchboard " + dev.switchboard.config.Version.VALUE);
        checkJdk();
        Settings settings = checkConfiguration();
        if (settings != null) {
            checkDatabase(settings);
            Set<String> models = checkUpstream(settings);
            checkChatModel(settings, models);
            checkTraces(settings.traces());
        }
        out.println(failed ? "\nSome checks failed: fix the items marked FAIL." : "\nAll checks passed.");
        return failed ? 1 : 0;
    }

    private void checkJdk() {
        int feature = Runtime.version().feature();
        if (feature >= 21) ok("JDK " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        else fail("JDK " + feature + " is too old", "install a JDK 21 or newer and put it in JAVA_HOME");
    }

    private Settings checkConfiguration() {
        try {
            Settings settings = SettingsLoader.load(env, SettingsLoader.configFile(env));
            ok("configuration" + SettingsLoader.configFile(env).map(f -> " (environment and " + f + ")").orElse(" (environment)"));
            return settings;
        } catch (ConfigException e) {
            for (String problem : e.problems()) fail("configuration", problem);
            return null;
        }
    }

    private void checkDatabase(Settings configured) {
        var notes = new ByteArrayOutputStream();
        var chosen = DataDirectory.choose(configured, new PrintStream(notes, true, StandardCharsets.UTF_8));
        notes.toString(StandardCharsets.UTF_8).lines().forEach(this::info);
        if (chosen.isEmpty()) {
            fail("database: which gateway's is not clear", "set SWITCHBOARD_DATA_DIR to one of the above");
            return;
        }
        Settings settings = chosen.get();
        if (!DataDirectory.hasDatabase(settings)) {
            // Not a failure: a new installation has none until its first start, and the doctor must not make one.
            info("database: none yet in " + settings.server().dataDir().toAbsolutePath().normalize() + "; the gateway "
                    + "creates it at its first start. If your gateway keeps its data elsewhere, run the doctor with its "
                    + "SWITCHBOARD_DATA_DIR (or DATABASE_URL).");
            return;
        }
        try (Database database = Database.connect(settings.database(), settings.server().dataDir())) {
            if (!database.isReachable()) {
                fail("database " + database.description(), "it does not answer; check DATABASE_URL");
                return;
            }
            int pending = database.pendingMigrations();
            if (pending == 0) {
                ok("database " + database.description() + ", migrated");
                info("chat fallbacks in the last 24 h: " + dev.switchboard.chat.ChatFallbacks.lastDay(
                        new dev.switchboard.debug.RequestLogRepository(database.jdbi())));
            } else fail("database " + database.description() + ": " + pending + " migration(s) pending",
                    "start the gateway once (./switchboard): it migrates at start-up");
        } catch (Exception e) {
            fail("database", e.getMessage() + (settings.database().embedded() ? "" : "; check DATABASE_URL"));
        }
    }

    /** Returns the upstream's model ids when it answered. */
    private Set<String> checkUpstream(Settings settings) {
        var upstream = settings.upstream();
        if (upstream.usesEmulator()) {
            try (Emulator emulator = Emulator.start(EmulatorOptions.defaults());
                 UpstreamClient client = new UpstreamClient(upstream, URI.create(emulator.baseUrl()), Secret.of("sk-doctor"))) {
                UpstreamClient.Probe probe = client.probe(Duration.ofSeconds(5));
                if (probe.keyAccepted()) {
                    ok("upstream: OPENAI_API_KEY is not set, so the built-in emulator answers (offline, canned replies)");
                    checkEmulatorWebRtc();
                    return modelIds(probe.body());
                }
                fail("upstream: the built-in emulator did not answer", probe.body());
            }
            return Set.of();
        }
        URI base = upstream.effectiveBaseUrl();
        try (UpstreamClient client = new UpstreamClient(upstream, base, upstream.apiKey().orElse(Secret.of("")))) {
            UpstreamClient.Probe probe = client.probe(Duration.ofSeconds(10));
            if (probe.keyAccepted()) {
                ok("upstream " + base + " reachable" + (upstream.apiKey().isPresent() ? ", key accepted" : " (no key sent)"));
                return modelIds(probe.body());
            }
            if (!probe.reachable()) fail("upstream " + base + " unreachable (" + probe.body() + ")",
                    "check OPENAI_BASE_URL and the network");
            else if (probe.status() == 401 || probe.status() == 403) fail("upstream " + base + " refused the key (HTTP "
                    + probe.status() + ")", "set OPENAI_API_KEY to a valid key for this upstream");
            else fail("upstream " + base + " answered HTTP " + probe.status(), "check OPENAI_BASE_URL ends in /v1");
        }
        return Set.of();
    }

    /** Not a failure: without WebRTC the emulator still answers everything else, Realtime over WebSocket included. */
    private void checkEmulatorWebRtc() {
        Emulator.webRtcUnavailable().ifPresentOrElse(
                problem -> info("WebRTC calls (POST /api/realtime/session with an SDP offer) will be refused: " + problem),
                () -> ok("emulator WebRTC calls: libpulse.so.0, which libwebrtc needs, is present"));
    }

    private void checkChatModel(Settings settings, Set<String> upstreamModels) {
        String model = settings.models().chatModel();
        String type = ModelSettings.isRealtimeModel(model) ? "a Realtime model, answered over the Realtime WebSocket"
                : "a REST model, answered over Chat Completions";
        info("chat API type: " + settings.models().chatApiType() + "; fallback model " + settings.chat().fallbackModel()
                + " over REST");
        if (upstreamModels.isEmpty() || upstreamModels.contains(model)) {
            ok("chat model " + model + ": " + type);
        } else {
            fail("chat model " + model + " (" + type + ") is not in the upstream's model list",
                    "set llm_model in config.json (or SWITCHBOARD_LLM_MODEL) to one of: "
                            + String.join(", ", upstreamModels.stream().sorted().limit(12).toList()));
        }
    }

    private static Set<String> modelIds(String body) {
        Set<String> ids = new HashSet<>();
        try {
            for (JsonNode model : Json.MAPPER.readTree(body).path("data")) ids.add(model.path("id").asText());
        } catch (Exception ignored) {
            // an upstream without a model list: the model check is skipped
        }
        return ids;
    }

    /**
     * Sends the collector an empty OTLP export (a valid one: no spans), as the gateway would send spans: whether it is
     * there and takes the configured headers. Tracing that does not reach its collector is not fatal to the gateway,
     * but it is something the operator configured and should fix.
     */
    private void checkTraces(dev.switchboard.config.TraceSettings traces) {
        if (!traces.enabled()) {
            info("traces: off (OTEL_EXPORTER_OTLP_ENDPOINT is not set)");
            return;
        }
        var request = java.net.http.HttpRequest.newBuilder(traces.endpoint().orElseThrow())
                .timeout(java.time.Duration.ofSeconds(3))
                .header("Content-Type", "application/x-protobuf")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
        traces.headers().forEach((name, value) -> request.header(name, value.reveal()));
        String where = "trace collector " + traces.shownEndpoint();
        try (var client = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(3)).build()) {
            int status = client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) ok(where + " accepts OTLP/HTTP exports");
            else fail(where + " answered HTTP " + status + " to an empty export", status == 401 || status == 403
                    ? "set the collector's key in OTEL_EXPORTER_OTLP_HEADERS" : "check OTEL_EXPORTER_OTLP_ENDPOINT (a collector's OTLP/HTTP port, 4318)");
        } catch (java.io.IOException e) {
            fail(where + " unreachable (" + e.getClass().getSimpleName() + ")",
                    "start the collector or correct OTEL_EXPORTER_OTLP_ENDPOINT; the gateway runs without it, dropping spans");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void info(String what) {
        out.println("      " + what);
    }

    private void ok(String what) {
        out.println("OK    " + what);
    }

    private void fail(String what, String fix) {
        failed = true;
        out.println("FAIL  " + what + (fix == null || fix.isBlank() ? "" : "\n      fix: " + fix));
    }
}
