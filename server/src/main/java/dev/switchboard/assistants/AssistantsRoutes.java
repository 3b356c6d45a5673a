package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.store.Instances;
import dev.switchboard.stream.Heartbeats;
import dev.switchboard.stream.LogFollower;
import dev.switchboard.stream.NamedEvents;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The Assistants API v2, kept alive by the gateway: assistants, threads and messages, stored in its database and
 * scoped to the calling key's owner (another owner's objects answer 404). {@code OpenAI-Beta: assistants=v2} is
 * accepted and not required.
 */
public final class AssistantsRoutes implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private final AssistantService assistants;
    private final ThreadService threads;
    private final RunService runs;
    private final RequestBodies bodies;
    private final LogFollower follower;
    private final RunArchive archive;
    private final RunExpiry expiry;
    private final RunStreamRoutes runStreams;

    public AssistantsRoutes(Jdbi jdbi, RequestBodies bodies, RunEngine.Deps engineDeps, LogFollower follower,
                            Heartbeats heartbeats, StreamTokens tokens, Instances instances) {
        Documents messages = new Documents(jdbi, "thread_messages", true);
        this.assistants = new AssistantService(new Documents(jdbi, "assistants", false));
        this.threads = new ThreadService(new Documents(jdbi, "threads", false), messages);
        RunStore store = new RunStore(jdbi, messages);
        this.archive = new RunArchive(jdbi);
        this.expiry = new RunExpiry(jdbi, store);
        RunEngine engine = new RunEngine(engineDeps, store, archive, instances.id());
        this.runs = new RunService(assistants, threads, store, engine, expiry);
        instances.onTick(new RunReclaimer(engine, store, instances.leaseMillis()));
        this.runStreams = new RunStreamRoutes(runs, store, archive, engineDeps.log(), heartbeats, tokens);
        this.bodies = bodies;
        this.follower = follower;
        // A run stream whose instance died ends with error, then done; the run fails as OpenAI's did on its own
        // errors (last_error.code server_error, a code the SDKs know).
        follower.endings().register(RunEngine.ENDPOINT, NamedEvents.ending((code, message) ->
                        Json.object().put("code", code).put("message", message).putNull("param").put("type", code))
                .whenEnded(meta -> store.failAbandoned(meta.id(), "server_error")));
    }

    @Override
    public void close() {
        expiry.close();
        archive.close();
    }

    /**
     * Registers the routes. Objects are the caller's owner's (each service reads by owner); a run names its
     * assistant's model, checked before anything is made, and streams when its body says so.
     */
    public void register(ApiRoutes routes) {
        runStreams.register(routes);
        ApiRoute key = ApiRoute.key();
        ApiRoute run = ApiRoute.key().modelFrom(ctx -> runs.modelFor(Admitted.of(ctx).caller(), body(ctx)))
                .streamsWhen(ctx -> streamFlag(body(ctx)));
        routes.post("/v1/assistants", key, ctx -> json(ctx, assistants.create(owner(ctx), body(ctx))));
        routes.get("/v1/assistants", key, ctx -> json(ctx, assistants.list(owner(ctx), Page.of(ctx))));
        routes.get("/v1/assistants/{id}", key, ctx -> json(ctx, assistants.retrieve(owner(ctx), id(ctx, "id"))));
        routes.post("/v1/assistants/{id}", key, ctx -> json(ctx, assistants.modify(owner(ctx), id(ctx, "id"), body(ctx))));
        routes.delete("/v1/assistants/{id}", key, ctx -> json(ctx, assistants.delete(owner(ctx), id(ctx, "id"))));

        routes.post("/v1/threads", key, ctx -> json(ctx, threads.createThread(owner(ctx), optionalBody(ctx))));
        // Before /v1/threads/{id}, which would otherwise take "runs" for a thread id.
        routes.post("/v1/threads/runs", run, ctx -> startRun(ctx, runs::createThreadAndRun));
        routes.get("/v1/threads/{id}", key, ctx -> json(ctx, threads.retrieveThread(owner(ctx), id(ctx, "id"))));
        routes.post("/v1/threads/{id}", key, ctx -> json(ctx, threads.modifyThread(owner(ctx), id(ctx, "id"), body(ctx))));
        routes.delete("/v1/threads/{id}", key, ctx -> json(ctx, threads.deleteThread(owner(ctx), id(ctx, "id"))));

        routes.post("/v1/threads/{id}/messages", key, ctx -> json(ctx, threads.createMessage(owner(ctx), id(ctx, "id"), body(ctx))));
        routes.get("/v1/threads/{id}/messages", key, ctx -> json(ctx, threads.listMessages(owner(ctx), id(ctx, "id"), Page.of(ctx))));
        routes.get("/v1/threads/{id}/messages/{message}", key, ctx -> json(ctx,
                threads.retrieveMessage(owner(ctx), id(ctx, "id"), id(ctx, "message"))));
        routes.post("/v1/threads/{id}/messages/{message}", key, ctx -> json(ctx,
                threads.modifyMessage(owner(ctx), id(ctx, "id"), id(ctx, "message"), body(ctx))));
        routes.delete("/v1/threads/{id}/messages/{message}", key, ctx -> json(ctx,
                threads.deleteMessage(owner(ctx), id(ctx, "id"), id(ctx, "message"))));

        routes.post("/v1/threads/{id}/runs", run, ctx -> startRun(ctx, (caller, request) -> runs.create(caller, id(ctx, "id"), request)));
        routes.get("/v1/threads/{id}/runs", key, ctx -> json(ctx, runs.list(owner(ctx), id(ctx, "id"), Page.of(ctx))));
        routes.get("/v1/threads/{id}/runs/{run}", key, ctx -> json(ctx, runs.retrieve(owner(ctx), id(ctx, "id"), id(ctx, "run"))));
        routes.post("/v1/threads/{id}/runs/{run}", key, ctx -> json(ctx, runs.modify(owner(ctx), id(ctx, "id"), id(ctx, "run"), body(ctx))));
        routes.post("/v1/threads/{id}/runs/{run}/cancel", key, ctx -> json(ctx, runs.cancel(owner(ctx), id(ctx, "id"), id(ctx, "run"))));
        routes.post("/v1/threads/{id}/runs/{run}/submit_tool_outputs",
                key.streamsWhen(ctx -> streamFlag(body(ctx))), ctx -> startRun(ctx, (caller, request) ->
                        runs.submitToolOutputs(caller, id(ctx, "id"), id(ctx, "run"), request)));
        routes.get("/v1/threads/{id}/runs/{run}/steps", key, ctx -> json(ctx,
                runs.listSteps(owner(ctx), id(ctx, "id"), id(ctx, "run"), Page.of(ctx))));
        routes.get("/v1/threads/{id}/runs/{run}/steps/{step}", key, ctx -> json(ctx,
                runs.retrieveStep(owner(ctx), id(ctx, "id"), id(ctx, "run"), id(ctx, "step"))));
    }

    /**
     * Starts (or continues) a run. With {@code "stream": true}, answers with the run's event stream, followed from
     * the run's log until {@code done}; admission took one of the key's concurrent streams for it before the run
     * started, so a stream refused for the key's limit leaves no run behind. The run goes on if the client leaves.
     * Otherwise answers with the run object as it stands (queued), to be polled.
     */
    private void startRun(Context ctx, BiFunction<Caller, ObjectNode, RunService.Started> start) throws Exception {
        ObjectNode request = body(ctx);
        boolean stream = streamFlag(request);
        RunService.Started started = start.apply(Admitted.of(ctx).caller(), request);
        if (!stream) {
            json(ctx, started.run());
            return;
        }
        SseWriter client = SseWriter.start(ctx, java.util.Map.of("X-Switchboard-Stream-Id", started.streamId()));
        follower.follow(started.streamId(), -1, client);
    }

    /** Checked before anything starts: a bad value must not leave a run behind. */
    private static boolean streamFlag(ObjectNode request) {
        JsonNode stream = request.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayException.invalidParam("stream", "'stream' must be true or false.");
        }
        return stream != null && stream.asBoolean();
    }

    private ObjectNode body(Context ctx) {
        return bodies.json(ctx).json();
    }

    /** {@code POST /v1/threads} may come with no body at all. */
    private ObjectNode optionalBody(Context ctx) {
        return ctx.req().getContentLengthLong() == 0 ? Json.object() : body(ctx);
    }

    private static String owner(Context ctx) {
        return Admitted.of(ctx).owner();
    }

    /** An id that is not of the form the gateway issues cannot exist: 404, as for any unknown id. */
    private static String id(Context ctx, String param) {
        String value = ctx.pathParam(param);
        if (!ID.matcher(value).matches()) throw GatewayException.notFound("object", value);
        return value;
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.write(body));
    }
}
