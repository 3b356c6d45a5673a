package dev.switchboard;

import dev.switchboard.admin.AdminModule;
import dev.switchboard.agent.AgentModule;
import dev.switchboard.agent.ToolRegistry;
import dev.switchboard.assistants.AssistantsModule;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.AuditLog;
import dev.switchboard.auth.CreatedKey;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.chat.ChatModule;
import dev.switchboard.config.Secret;
import dev.switchboard.config.Settings;
import dev.switchboard.config.UpstreamSettings;
import dev.switchboard.config.Version;
import dev.switchboard.debug.InFlightRequests;
import dev.switchboard.debug.RequestLogRepository;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.documents.DocumentsModule;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import dev.switchboard.eval.EvalModule;
import dev.switchboard.limits.Limits;
import dev.switchboard.mcp.McpModule;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.metrics.MetricsRoutes;
import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.openai.OpenAiModule;
import dev.switchboard.ownership.OwnedObjects;
import dev.switchboard.pipeline.Admission;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.realtime.RealtimeModule;
import dev.switchboard.store.Database;
import dev.switchboard.store.Instances;
import dev.switchboard.store.RunningGateways;
import dev.switchboard.trace.Tracing;
import dev.switchboard.stream.EventLog;
import dev.switchboard.stream.EventLogs;
import dev.switchboard.stream.Heartbeats;
import dev.switchboard.stream.LiveStreams;
import dev.switchboard.stream.LogFollower;
import dev.switchboard.stream.OrphanSweeper;
import dev.switchboard.stream.StreamEndings;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.stream.StreamRoutes;
import dev.switchboard.upstream.StartupKeyCheck;
import dev.switchboard.upstream.UpstreamCalls;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.HttpServer;
import dev.switchboard.web.Pages;
import dev.switchboard.web.RequestBodies;
import dev.switchboard.web.RequestObserver;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.slf4j.LoggerFactory;

/**
 * One running gateway: database, upstream (OpenAI or the built-in emulator), and the HTTP listener with every
 * capability's routes. Wiring only; each part does its own work. Closing stops them in reverse order.
 */
public final class Gateway implements AutoCloseable {
    /** How often streams of dead instances are looked for; with the 6 s lease, one is ended within about 11 s. */
    private static final Duration ORPHAN_SWEEP = Duration.ofSeconds(5);
    /** How long the start-up check of the OpenAI key may take; start-up goes on meanwhile. */
    private static final Duration KEY_CHECK_TIMEOUT = Duration.ofSeconds(3);
    /**
     * The gateway's capabilities, built in this order from the foundations (one that uses another comes after it),
     * their routes declared in this order, and closed in the reverse order.
     */
    private static final List<Function<Foundations, Capability>> CAPABILITIES = List.of(
            AdminModule::new,
            AssistantsModule::new,
            DocumentsModule::new,
            AgentModule::new,
            RealtimeModule::new,
            ChatModule::new,
            EvalModule::new,
            McpModule::new,
            // Last: its routes end with the catch-all that forwards every other /v1 path.
            OpenAiModule::new);

    private final Database database;
    private final Emulator emulator;
    private final UpstreamClient upstream;
    private final HttpServer http;
    private final ApiKeys keys;
    private final Optional<CreatedKey> bootstrapAdmin;
    private final LiveStreams liveStreams;
    private final RequestRecorder recorder;
    private final List<AutoCloseable> parts;
    private String streamLog = "in memory (this instance only)";
    private ToolRegistry agentTools;
    private GracefulShutdown shutdown;
    private StartupKeyCheck keyCheck;
    private Admission admission;
    private Optional<Tracing> tracing = Optional.empty();

    private Gateway(Database database, Emulator emulator, UpstreamClient upstream, HttpServer http, ApiKeys keys,
                    Optional<CreatedKey> bootstrapAdmin, LiveStreams liveStreams, RequestRecorder recorder,
                    List<AutoCloseable> parts) {
        this.database = database;
        this.emulator = emulator;
        this.upstream = upstream;
        this.http = http;
        this.keys = keys;
        this.bootstrapAdmin = bootstrapAdmin;
        this.liveStreams = liveStreams;
        this.recorder = recorder;
        this.parts = parts;
    }

    /** Starts everything; on failure, stops what had started and rethrows. */
    public static Gateway start(Settings settings) throws IOException {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Database database = Database.connect(settings.database(), settings.server().dataDir());
            started.add(database);
            database.migrate();
            // Closed last but the database: it settles what this instance leaves, and it is how runs name their executor.
            Instances instances = new Instances(database.jdbi(), settings.database().instanceHeartbeat(),
                    settings.database().instanceLease());
            started.add(instances);

            Emulator emulator = null;
            UpstreamSettings upstreamSettings = settings.upstream();
            if (upstreamSettings.usesEmulator()) {
                String emulatorKey = "sk-emulator-" + randomHex();
                emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(emulatorKey));
                started.add(emulator);
                upstreamSettings = upstreamSettings.withEndpoint(URI.create(emulator.baseUrl()), Secret.of(emulatorKey));
            }
            // Off unless an OTLP endpoint is set: then no SDK, no thread, and nothing on the request path.
            Optional<Tracing> tracing = Tracing.start(settings.traces());
            tracing.ifPresent(started::add); // closed after the listener and the upstream: their last spans are sent
            URI upstreamBase = upstreamSettings.effectiveBaseUrl();
            tracing.ifPresent(t -> t.upstream(upstreamBase));
            UpstreamClient upstream = new UpstreamClient(upstreamSettings, upstreamSettings.effectiveBaseUrl(),
                    upstreamSettings.apiKey().orElse(Secret.of("")), tracing.<UpstreamCalls>map(t -> t).orElse(UpstreamCalls.NONE));
            started.add(upstream);
            StartupKeyCheck keyCheck = emulator == null ? StartupKeyCheck.start(upstream, KEY_CHECK_TIMEOUT) : null;

            ApiKeys keys = new ApiKeys(database);
            started.add(keys);
            Optional<CreatedKey> admin = keys.bootstrapAdmin();

            EventLog eventLog = settings.streams().redisUrl()
                    .map(url -> EventLogs.redis(url.reveal(), settings.streams().retention()))
                    .orElseGet(() -> EventLogs.inMemory(settings.streams().retention()));
            started.add(eventLog);
            Heartbeats heartbeats = new Heartbeats(settings.streams().heartbeatInterval());
            started.add(heartbeats);
            LiveStreams liveStreams = new LiveStreams();
            StreamRelay relay = new StreamRelay(eventLog, heartbeats, liveStreams);

            RequestLogRepository requestLog = new RequestLogRepository(database.jdbi());
            InFlightRequests inFlight = new InFlightRequests(requestLog, instances.id());
            started.add(inFlight::settleOwn); // closed after the recorder has written its rows
            RequestRecorder recorder = new RequestRecorder(requestLog, settings.features().debugEvents());
            started.add(recorder);
            started.add(inFlight); // closed before the recorder: a start is written before its request's row
            instances.onTick(mayReclaim -> {
                inFlight.refresh();
                if (mayReclaim) inFlight.settleDeadInstances(instances.leaseMillis());
            });
            Metrics metrics = new Metrics();
            metrics.gauge("switchboard.streams.active", "Streams being relayed now", liveStreams::size);
            metrics.gauge("switchboard.stream.log.behind", "Streams the shared log (Redis) lacked events of and does not "
                    + "have complete yet; they go on from this instance's memory", eventLog::streamsBehind);
            metrics.gauge("switchboard.stream.log.kept.locally", "Streams that went on in this instance's memory alone "
                    + "for a while because the shared log was unreachable, since start-up", eventLog::streamsKeptLocally);
            metrics.gauge("switchboard.recorder.queue.depth", "Request and debug records waiting to be written",
                    recorder::queueDepth);
            metrics.gauge("switchboard.recorder.retried.batches", "Record batches whose write failed and was retried",
                    recorder::retriedBatches);
            metrics.gauge("switchboard.recorder.dropped", "Records dropped because the queue was full", recorder::dropped);
            metrics.gauge("switchboard.requests.in_flight", "Upstream requests under way on this instance", inFlight::size);
            metrics.functionCounter("switchboard.recorder.dead.letters", "Records the database refused on their own, "
                    + "given up so that the others are written (the log names each)", recorder::deadLettered);
            StreamEndings endings = new StreamEndings();
            var adopted = metrics.counter("switchboard.streams.adopted",
                    "Streams this instance ended because the instance writing them was gone");
            LogFollower follower = new LogFollower(eventLog, heartbeats, endings, (meta, events) -> {
                adopted.increment();
                recorder.adoptedStream(meta, events);
            }, relay);
            Limits limits = new Limits(database.jdbi(), requestLog::tokensSince, settings.streams().redisUrl().map(Secret::reveal));
            started.add(limits);
            keys.onRotation(limits.store()::copyOnRotation);
            // Budgets before the recorder: a token total started from the request log must not find this request there.
            ExchangeListener listener = tracing.isPresent()
                    ? ExchangeListener.all(metrics, inFlight, limits.usage(), recorder, tracing.get())
                    : ExchangeListener.all(metrics, inFlight, limits.usage(), recorder);
            tracing.ifPresent(t -> metrics.functionCounter("switchboard.traces.spans.dropped", "Spans not exported: the "
                    + "collector was unreachable, slow or refused them, or too many were waiting", t::droppedSpans));
            metrics.gauge("switchboard.database.connections", "Connections the database pool holds", database::poolConnections);
            metrics.gauge("switchboard.database.connections.active", "Database connections in use", database::poolConnectionsInUse);

            StreamTokens streamTokens = new StreamTokens(database.jdbi(), keys);
            AuditLog audit = new AuditLog(database.jdbi());
            OwnedObjects owned = new OwnedObjects(database.jdbi());
            started.add(owned);
            var bodies = new RequestBodies(settings.server().maxBodyBytes());
            Admission admission = new Admission(keys, streamTokens, limits, listener);
            Foundations foundations = new Foundations(settings, database, instances, upstream, eventLog, heartbeats,
                    liveStreams, relay, follower, requestLog, recorder, metrics, listener, limits, keys, streamTokens, audit,
                    owned, bodies, admission, null);
            List<Capability> capabilities = new ArrayList<>();
            for (Function<Foundations, Capability> make : CAPABILITIES) {
                Capability capability = make.apply(foundations);
                started.add(capability);
                capabilities.add(capability);
                foundations.built(capability);
            }
            // After the capabilities, which register how their streams end (or go on).
            started.add(new OrphanSweeper(follower, ORPHAN_SWEEP));
            StreamRoutes streamRoutes = new StreamRoutes(follower);
            List<Consumer<RoutesConfig>> routes = List.of(
                    new HealthRoutes(database, upstream)::register,
                    new MetricsRoutes(metrics)::register,
                    admission::guardUndeclared,
                    r -> Pages.register(r, Map.of("/agent-chat", "agent-chat.html", "/realtime", "realtime.html",
                            "/admin", "admin.html")),
                    r -> Pages.resource(r, "/openapi.json", "openapi.json", "application/json"),
                    // Last: the OpenAI capability ends with the catch-all that forwards every other /v1 path, and
                    // Javalin answers with the first route that matches.
                    r -> {
                        ApiRoutes api = admission.routes(r);
                        streamRoutes.register(api);
                        capabilities.forEach(capability -> capability.register(api));
                    });
            HttpServer http = HttpServer.start(settings.server(), routes,
                    capabilities.stream().<Consumer<ServletContextHandler>>map(c -> c::mount).toList(),
                    tracing.<RequestObserver>map(t -> t).orElse(RequestObserver.NONE));
            started.add(http);
            // So that the commands (keys, doctor, dev-cert) find this gateway's database from any directory.
            if (settings.database().embedded()) started.add(RunningGateways.register(settings.server().dataDir(), http.port()));
            capabilities.forEach(Capability::started);
            Gateway gateway = new Gateway(database, emulator, upstream, http, keys, admin, liveStreams, recorder, started);
            gateway.admission = admission;
            gateway.agentTools = foundations.capability(AgentModule.class).tools();
            gateway.shutdown = new GracefulShutdown(http, liveStreams, inFlight, upstream);
            gateway.keyCheck = keyCheck;
            gateway.tracing = tracing;
            if (settings.streams().redisUrl().isPresent()) gateway.streamLog = "Redis Streams (shared by every instance on it)";
            return gateway;
        } catch (IOException | RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /** What an operator needs to know at start-up: where it listens, what it talks to, and a new admin key. */
    public void announce(PrintStream out, String host, String scheme) {
        String shownHost = host.equals("0.0.0.0") || host.equals("127.0.0.1") ? "localhost" : host;
        out.println("Switchboard " + Version.VALUE + " listening on " + scheme + "://" + shownHost + ":" + port());
        out.println("  database: " + database.description());
        out.println("  stream log: " + streamLog);
        out.println("  traces: " + tracing.map(Tracing::description)
                .orElse("off (set OTEL_EXPORTER_OTLP_ENDPOINT to export them over OTLP)"));
        if (emulator != null) {
            out.println("  upstream: the built-in OpenAI emulator at " + emulator.baseUrl()
                    + ", because OPENAI_API_KEY is not set. No request leaves this machine; replies are canned.");
        } else {
            keyCheck.describe(upstream.baseUrl().toString()).forEach(out::println);
        }
        bootstrapAdmin.ifPresentOrElse(created -> {
            out.println("  admin API key (shown once, store it now): " + created.secret());
            out.println("  create client keys with: ./switchboard keys create --name my-app");
        }, () -> out.println("  keys: the admin key was shown at the first start; ./switchboard keys list shows them, "
                + "./switchboard keys create --name my-app [--admin] makes another"));
    }

    public int port() {
        return http.port();
    }

    /** Tracing, when an OTLP endpoint is configured. */
    public Optional<Tracing> tracing() {
        return tracing;
    }

    public ApiKeys keys() {
        return keys;
    }

    /** The built-in emulator this gateway answers with, when it has no OpenAI key. */
    public Optional<Emulator> builtInEmulator() {
        return Optional.ofNullable(emulator);
    }

    /** Every route of the HTTP API, as {@code "METHOD /path"}. */
    public List<String> routes() {
        return http.routes();
    }

    /** Every route declared to admission, as {@code "METHOD /path"}: each route of the API must be one. */
    public java.util.Set<String> declaredRoutes() {
        return admission.declared();
    }

    public Database database() {
        return database;
    }

    /** The tools agents may use; more can be registered (an embedding application's own, or a test's). */
    public ToolRegistry agentTools() {
        return agentTools;
    }

    public LiveStreams liveStreams() {
        return liveStreams;
    }

    public RequestRecorder recorder() {
        return recorder;
    }

    /** The admin key created at this start, when there was none before. */
    public Optional<CreatedKey> bootstrapAdmin() {
        return bootstrapAdmin;
    }

    /**
     * Stops within {@code grace}: new requests are refused at once, those under way may finish for most of it, and
     * what is left is ended and recorded (see {@link GracefulShutdown}); then everything is closed. Returns when all
     * is closed or the grace is spent, whichever comes first.
     */
    public void shutDown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        shutdown.drain(grace);
        Thread closing = Thread.ofPlatform().name("switchboard-close").start(this::close);
        try {
            closing.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closing.isAlive()) {
            LoggerFactory.getLogger(Gateway.class).warn(
                    "Stopping took longer than SWITCHBOARD_SHUTDOWN_GRACE ({} s); exiting anyway", grace.toSeconds());
        }
    }

    /** Stops the listener first, then everything it used, in reverse order of starting. */
    @Override
    public void close() {
        closeAll(parts);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception ignored) {
                // stopping: keep stopping the rest
            }
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
