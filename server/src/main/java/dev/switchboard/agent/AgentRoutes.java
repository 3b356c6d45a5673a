package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.store.Instances;
import dev.switchboard.stream.LogFollower;
import dev.switchboard.stream.NamedEvents;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent sessions and agent streaming (seed 003): {@code POST /api/agent/sessions}, {@code GET /api/agent/sessions},
 * {@code GET /api/agent/sessions/{id}}, {@code GET /api/agent/sessions/{id}/runs}, {@code POST /api/agent/stream}
 * ({@code ?raw=true} interleaves the upstream Responses events), which answers only with OPENAI_STREAMING_ENABLED,
 * {@code POST /api/agent/runs/{id}/cancel}, and {@code GET /api/agent/capabilities} (streaming on or off, the tools).
 */
public final class AgentRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRoutes.class);

    private final AgentSessions sessions;
    private final AgentRunner runner;
    private final LogFollower follower;
    private final RequestBodies bodies;
    private final boolean streamingEnabled;
    private final String defaultModel;
    private final ToolRegistry tools;

    public AgentRoutes(Jdbi jdbi, RequestBodies bodies, LogFollower follower, AgentRunner.Deps deps, String defaultModel,
                       boolean streamingEnabled, Instances instances) {
        AgentRepository repository = new AgentRepository(jdbi);
        this.sessions = new AgentSessions(repository, deps.tools().registry(), defaultModel);
        this.runner = new AgentRunner(deps, repository, instances.id());
        // Final records kept through an outage are written, and runs of instances that are gone are failed.
        instances.onTick(mayReclaim -> {
            runner.settleKept();
            if (!mayReclaim) return;
            List<String> failed = repository.failLapsed(instances.leaseMillis());
            if (!failed.isEmpty()) LOG.warn("Failed {} agent run(s) whose instance stopped: {}", failed.size(), failed);
        });
        this.follower = follower;
        this.bodies = bodies;
        this.streamingEnabled = streamingEnabled;
        this.defaultModel = defaultModel;
        this.tools = deps.tools().registry();
        // An agent stream whose instance died ends with error, then done; its run is recorded as failed.
        follower.endings().register(AgentRunner.ENDPOINT, NamedEvents.ending((code, message) ->
                        Json.object().put("code", code).put("message", message))
                .whenEnded(meta -> repository.failAbandonedRun(meta.id(), LogFollower.WRITER_GONE)));
    }

    /** The tools every gateway has. */
    public static ToolRegistry builtinTools() {
        ToolRegistry registry = new ToolRegistry();
        registry.register(new CalculatorTool());
        registry.register(new ClockTool(Clock.systemUTC()));
        return registry;
    }

    /** What agent runs talk to: the upstream, the stream core's log, the request log, and the tools. */
    public static AgentRunner.Deps deps(dev.switchboard.upstream.UpstreamClient upstream, dev.switchboard.stream.EventLog log,
                                        dev.switchboard.observe.ExchangeListener listener, ToolExecutor tools,
                                        dev.switchboard.config.AgentSettings settings) {
        return new AgentRunner.Deps(upstream, log, listener, tools, settings);
    }

    /** Registers the routes; a stream names its session's model and holds a concurrent stream until its run ends. */
    public void register(ApiRoutes routes) {
        ApiRoute key = ApiRoute.key();
        routes.post("/api/agent/sessions", key, ctx -> json(ctx.status(201), sessions.create(owner(ctx), bodies.json(ctx).json())));
        routes.get("/api/agent/sessions", key, ctx -> json(ctx, sessions.list(owner(ctx), limit(ctx), ctx.queryParam("before"))));
        routes.get("/api/agent/sessions/{id}", key, ctx -> json(ctx, sessions.retrieve(owner(ctx), ctx.pathParam("id"))));
        routes.get("/api/agent/sessions/{id}/runs", key, ctx -> json(ctx, sessions.runs(owner(ctx), ctx.pathParam("id"), limit(ctx))));
        routes.post("/api/agent/stream", key.streams().modelFrom(this::sessionModel), this::stream);
        routes.post("/api/agent/runs/{id}/cancel", key, this::cancel);
        routes.get("/api/agent/capabilities", key, this::capabilities);
    }

    /** The model of the session a stream request names (checked first: streaming off is said before anything else). */
    private String sessionModel(Context ctx) {
        requireStreaming();
        return session(ctx).path("model").asText();
    }

    private ObjectNode session(Context ctx) {
        return sessions.retrieve(owner(ctx), AgentSessionParam.required(bodies.json(ctx).json()));
    }

    private void requireStreaming() {
        if (!streamingEnabled) {
            throw new GatewayException(503, "invalid_request_error", "streaming_disabled", null,
                    "Agent streaming is turned off on this gateway. An operator enables it with OPENAI_STREAMING_ENABLED=true "
                            + "and a restart.");
        }
    }

    /** Stops one of the caller's runs going on this instance. */
    private void cancel(Context ctx) {
        String id = ctx.pathParam("id");
        if (!runner.cancel(owner(ctx), id)) {
            throw GatewayException.notFound("agent run", id, "in progress on this instance");
        }
        json(ctx, Json.object().put("id", id).put("object", "agent.run").put("status", "cancelling"));
    }

    /** What a client of the agent routes can use here: whether streaming is on, the tools, the default model. */
    private void capabilities(Context ctx) {
        ObjectNode body = Json.object().put("object", "agent.capabilities").put("streaming_enabled", streamingEnabled)
                .put("default_model", defaultModel);
        var tools = body.putArray("tools");
        this.tools.all().stream().sorted(java.util.Comparator.comparing(AgentTool::name))
                .forEach(tool -> tools.addObject().put("name", tool.name()).put("description", tool.description()));
        json(ctx, body);
    }

    private void stream(Context ctx) throws Exception {
        requireStreaming();
        ObjectNode request = bodies.json(ctx).json();
        ObjectNode session = session(ctx);
        ArrayNode content = inputContent(request.get("input"));
        Admitted admitted = Admitted.of(ctx);
        // The run outlives the request (it goes on when the client leaves): it takes the admitted stream slot.
        AgentRunner.Started started = runner.start(admitted.caller(), dev.switchboard.web.RequestIds.of(ctx), session, content,
                "true".equalsIgnoreCase(ctx.queryParam("raw")), admitted.handOver(), admitted.budget());
        SseWriter client = SseWriter.start(ctx, Map.of("X-Switchboard-Stream-Id", started.streamId(),
                "X-Switchboard-Agent-Run-Id", started.runId()));
        follower.follow(started.streamId(), -1, client);
    }

    /** The user's input as Responses content: a string, or text and image parts. */
    private static ArrayNode inputContent(JsonNode input) {
        ArrayNode content = Json.MAPPER.createArrayNode();
        if (input == null || input.isNull()) throw GatewayException.missingParam("input");
        if (input.isTextual() && !input.asText().isBlank()) {
            content.addObject().put("type", "input_text").put("text", input.asText());
            return content;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw GatewayException.invalidParam("input", "'input' must be text or an array of text and image parts.");
        }
        for (JsonNode part : input) {
            switch (part.path("type").asText()) {
                case "text", "input_text" -> content.addObject().put("type", "input_text").put("text", part.path("text").asText());
                case "image_url", "input_image" -> {
                    String url = part.path("image_url").isTextual() ? part.path("image_url").asText() : part.path("image_url").path("url").asText();
                    if (!url.startsWith("https://") && !url.startsWith("data:image/")) {
                        throw GatewayException.invalidParam("input", "Images must be https:// or data:image/ URLs.");
                    }
                    content.addObject().put("type", "input_image").put("image_url", url);
                }
                default -> throw GatewayException.invalidParam("input", "Input parts are 'text' or 'image_url', not '"
                        + part.path("type").asText() + "'.");
            }
        }
        return content;
    }

    private static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        try {
            int limit = value == null ? 20 : Integer.parseInt(value);
            if (limit >= 1 && limit <= 100) return limit;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw GatewayException.invalidParam("limit", "'limit' must be a whole number from 1 to 100.");
    }

    private static String owner(Context ctx) {
        return Admitted.of(ctx).owner();
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.write(body));
    }
}
