package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.emulator.batches.BatchTarget;
import dev.switchboard.emulator.batches.BatchesApi;
import dev.switchboard.emulator.chat.ChatCompletionsApi;
import dev.switchboard.emulator.chatkit.ChatKitApi;
import dev.switchboard.emulator.conversations.Conversations;
import dev.switchboard.emulator.conversations.ConversationsApi;
import dev.switchboard.emulator.files.FileStore;
import dev.switchboard.emulator.files.FilesApi;
import dev.switchboard.emulator.models.ModelsApi;
import dev.switchboard.emulator.realtime.ClientSecrets;
import dev.switchboard.emulator.realtime.RealtimeApi;
import dev.switchboard.emulator.realtime.RealtimeCall;
import dev.switchboard.emulator.realtime.RealtimeCallState;
import dev.switchboard.emulator.realtime.RealtimeCallsApi;
import dev.switchboard.emulator.realtime.WebRtcPeer;
import dev.switchboard.emulator.responses.ResponseStore;
import dev.switchboard.emulator.responses.ResponsesApi;
import dev.switchboard.emulator.uploads.UploadsApi;
import dev.switchboard.emulator.vectorstores.VectorStoresApi;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.EndpointNotFound;
import java.util.List;
import java.util.Optional;

/**
 * An offline stand-in for the OpenAI API: deterministic replies, scriptable per request, with fault injection.
 * Embeddable ({@link #start}) and runnable alone ({@link EmulatorMain}).
 *
 * <p>Control routes under {@code /_emulator} need no key: {@code POST /_emulator/scripts}
 * {@code {"model": NAME, "script": {...}}} registers a script for a model name, {@code GET /_emulator/requests}
 * lists recorded requests, {@code POST /_emulator/reset} forgets scripts and requests.
 */
public final class Emulator implements AutoCloseable {
    private final Javalin app;
    private final ScriptBook scripts = new ScriptBook();
    private final RequestLog requestLog = new RequestLog();
    private final Observations observations = new Observations();
    private final StallGate stalls = new StallGate();
    private final EmulatorOptions options;
    private final FileStore files = new FileStore();
    private final BatchesApi batches;
    private RealtimeApi realtime;
    private final RealtimeCallsApi calls;

    private Emulator(EmulatorOptions options) {
        this.options = options;
        var chat = new ChatCompletionsApi(scripts, stalls, observations);
        var conversations = new Conversations();
        var responses = new ResponsesApi(scripts, stalls, new ResponseStore(), conversations, observations);
        var conversationsApi = new ConversationsApi(conversations);
        var models = new ModelsApi();
        var clientSecrets = new ClientSecrets();
        var calls = new RealtimeCallsApi(scripts, clientSecrets);
        this.calls = calls;
        var realtime = new RealtimeApi(scripts, clientSecrets, calls, options.apiKey());
        this.realtime = realtime;
        var chatKit = new ChatKitApi();
        this.batches = new BatchesApi(files, new BatchTarget(() -> "http://" + options.host() + ":" + port(),
                options.apiKey() == null ? "emulator-batch" : options.apiKey()));
        var faults = new ScriptedFaults(scripts);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.prefer405over404 = true;
            cfg.http.maxRequestSize = 64L * 1024 * 1024;
            // OpenAI takes up to 15 MiB of audio in one input_audio_buffer.append, and screenshots as data URLs;
            // Jetty's default (64 KiB) would close such a session with 1009.
            cfg.jetty.modifyWebSocketServletFactory(factory -> factory.setMaxTextMessageSize(RealtimeApi.MAX_EVENT_BYTES));
            // A deep accept queue: with the default, bursts of new connections (benchmarks, a gateway opening
            // thousands of upstream streams) lose SYNs and wait a second for the retransmit.
            cfg.jetty.addConnector((server, http) -> {
                var connector = new org.eclipse.jetty.server.ServerConnector(server,
                        new org.eclipse.jetty.server.HttpConnectionFactory(http));
                connector.setHost(options.host());
                connector.setPort(options.port());
                connector.setAcceptQueueSize(4096);
                return connector;
            });
            // Nothing here keeps HTTP sessions, but Javalin opens one at every WebSocket upgrade and Jetty keeps a
            // cached session an upgraded request used for good: uncached, a long Realtime run leaves none behind.
            cfg.jetty.modifyServletContextHandler(handler -> {
                var uncached = new org.eclipse.jetty.session.NullSessionCache(handler.getSessionHandler());
                uncached.setSessionDataStore(new org.eclipse.jetty.session.NullSessionDataStore());
                handler.getSessionHandler().setSessionCache(uncached);
            });
            cfg.routes.before("/v1/*", Emulator::identifyAnswer);
            cfg.routes.before("/v1/*", this::authenticate);
            chat.register(cfg.routes);
            responses.register(cfg.routes);
            conversationsApi.register(cfg.routes);
            realtime.register(cfg.routes);
            chatKit.register(cfg.routes);
            models.register(cfg.routes);
            new FilesApi(files).register(cfg.routes);
            new UploadsApi(files).register(cfg.routes);
            batches.register(cfg.routes);
            new VectorStoresApi(files).register(cfg.routes);
            dev.switchboard.emulator.audio.SpeechApi.register(cfg.routes, faults);
            dev.switchboard.emulator.audio.TranscriptionsApi.register(cfg.routes, faults);
            dev.switchboard.emulator.embeddings.EmbeddingsApi.register(cfg.routes, faults);
            dev.switchboard.emulator.moderations.ModerationsApi.register(cfg.routes, faults);
            dev.switchboard.emulator.images.ImagesApi.register(cfg.routes, faults);
            cfg.routes.post("/_emulator/scripts", this::registerScript);
            cfg.routes.get("/_emulator/requests", ctx -> ctx.json(requestLog.all()));
            cfg.routes.post("/_emulator/reset", ctx -> reset());
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                // OpenAI has no 405: a method a path does not take is an unknown URL to it, "Invalid URL (GET
                // /v1/embeddings)", as clients whose POST a redirect turned into a GET see.
                if (e.getStatus() == 405 && ctx.path().startsWith("/v1/")) ApiErrors.invalidUrl(ctx);
                else ApiErrors.send(ctx, e.getStatus(), "invalid_request_error", null, e.getMessage());
            });
            cfg.routes.exception(EndpointNotFound.class, (e, ctx) -> {
                if (ctx.path().startsWith("/v1/")) ApiErrors.invalidUrl(ctx);
                else ApiErrors.send(ctx, 404, "invalid_request_error", null, e.getMessage());
            });
        });
    }

    /** Starts an emulator; close it to stop. */
    /**
     * Why this machine's emulator cannot answer WebRTC calls ({@code POST /v1/realtime/calls}), if it cannot: its
     * libwebrtc needs native libraries (libpulse0 on Debian). The WebSocket side works regardless.
     */
    public static Optional<String> webRtcUnavailable() {
        try {
            WebRtcPeer.requireAvailable();
            return Optional.empty();
        } catch (WebRtcPeer.Unavailable e) {
            return Optional.of(e.getMessage());
        }
    }

    public static Emulator start(EmulatorOptions options) {
        Emulator emulator = new Emulator(options);
        emulator.app.start();
        return emulator;
    }

    public int port() {
        return app.port();
    }

    /** The base URL an OpenAI client is configured with, ending in {@code /v1}. */
    public String baseUrl() {
        return "http://" + options.host() + ":" + port() + "/v1";
    }

    /** Registers a script for every request naming this model. The JSON form is documented on {@link Script}. */
    public void script(String model, String scriptJson) {
        try {
            scripts.register(model, Script.fromJson(Json.parse(scriptJson)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Not a JSON script: " + scriptJson, e);
        }
    }

    /**
     * Registers a script for every request (to {@code model}, or any model when it is "*") whose body contains
     * {@code text}; earlier registrations are tried first.
     */
    public void scriptWhen(String model, String text, String scriptJson) {
        try {
            scripts.registerForText(model, text, Script.fromJson(Json.parse(scriptJson)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Not a JSON script: " + scriptJson, e);
        }
    }

    public List<RecordedRequest> requests() {
        return requestLog.all();
    }

    public Observations observations() {
        return observations;
    }

    /** Realtime WebSocket sessions open now: a relay must close its upstream leg when its client leaves. */
    public int realtimeSessions() {
        return realtime.openSessions();
    }

    /** Client events the Realtime WebSockets have taken so far. */
    public long realtimeClientEvents() {
        return realtime.clientEvents();
    }

    /** Server events of open Realtime WebSockets not yet written out, because the peer stopped reading. */
    public long realtimeUnwrittenEvents() {
        return realtime.unwrittenEvents();
    }

    /** WebRTC calls not yet ended. */
    public int realtimeCalls() {
        return calls.active();
    }

    /** A WebRTC call by its id, while it lasts. */
    public java.util.Optional<RealtimeCallState> realtimeCall(String id) {
        return calls.find(id).map(RealtimeCall::state);
    }

    /** Lets every stream stalled by a {@code stall_after} script go on. */
    public void releaseStalls() {
        stalls.releaseAll();
    }

    public void reset() {
        scripts.clear();
        requestLog.clear();
    }

    @Override
    public void close() {
        stalls.releaseAll();
        calls.hangUpAll();
        batches.close();
        app.stop();
        files.close();
    }

    /**
     * OpenAI names every answer, errors included, with {@code x-request-id} (what the SDKs show as the request id and
     * what support asks for) and the API version; a batch's output lines carry the same id.
     */
    private static void identifyAnswer(Context ctx) {
        ctx.header("x-request-id", Ids.next("req_"));
        ctx.header("openai-version", "2020-10-01");
    }

    private void authenticate(Context ctx) {
        requestLog.record(ctx);
        String token = Requests.bearerToken(ctx.header("Authorization"));
        if (token == null || token.isEmpty()) {
            ApiErrors.send(ctx, 401, "invalid_request_error", null,
                    "You didn't provide an API key. You need to provide your API key in an Authorization header "
                            + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
            ctx.skipRemainingHandlers();
        } else if (token.startsWith("ek_") && ctx.path().equals("/v1/realtime/calls")) {
            // A client secret opens a call: the calls route redeems it.
        } else if (options.apiKey() != null && !options.apiKey().equals(token)) {
            ApiErrors.send(ctx, 401, "invalid_request_error", "invalid_api_key",
                    "Incorrect API key provided: " + mask(token) + ". You can find your API key at "
                            + "https://platform.openai.com/account/api-keys.");
            ctx.skipRemainingHandlers();
        }
    }

    private void registerScript(Context ctx) throws java.io.IOException {
        JsonNode body = Json.parse(ctx.body());
        if (!scripts.registerFrom(body)) scripts.register(body.path("model").asText(), ScriptBook.parseRegistration(body));
        ctx.status(204);
    }

    /** OpenAI shows the first and last characters of a refused key; so does the emulator, to test redaction. */
    private static String mask(String key) {
        return key.length() <= 8 ? "***" : key.substring(0, 3) + "*".repeat(8) + key.substring(key.length() - 4);
    }
}
