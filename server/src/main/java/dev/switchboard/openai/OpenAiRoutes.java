package dev.switchboard.openai;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.stream.StreamEndings;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * The OpenAI-compatible surface: Chat Completions, Responses (with background resume and cancel), Conversations
 * and Models, forwarded with the server's key. An unmodified OpenAI SDK works by pointing its base URL here and
 * using a gateway key. Streaming is decided by the body's {@code stream} field (the SDKs send
 * {@code Accept: application/json} even for streams) or, for retrieval, the {@code stream} query parameter.
 *
 * <p>Responses, conversations and stored chat completions belong to the owner whose key created them here: every
 * route is checked by {@link ApiOwnership}'s rule tables (the same that check every other path under /v1), and any
 * other owner's id, in the path or the body, or one the gateway never saw created, is answered as OpenAI answers an
 * unknown id.
 */
public final class OpenAiRoutes {
    /** Ids are forwarded into upstream paths, so only id characters are allowed: no slashes, dots or escapes. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");

    private final OpenAiRelay relay;
    private final RequestBodies bodies;
    private final ApiForwarding forwarding;
    private final ApiRoute.OwnershipCheck owned;
    private final BatchInput batchInput;

    /** @param maxUploadBytes the largest body that is not JSON, streamed upstream ({@code SWITCHBOARD_MAX_UPLOAD_BYTES}) */
    public OpenAiRoutes(UpstreamClient upstream, StreamRelay streams, RequestBodies bodies, ApiOwnership ownership,
                        DeferredUsage deferredUsage, long maxUploadBytes) {
        this.relay = new OpenAiRelay(upstream, streams, ownership, deferredUsage);
        this.batchInput = new BatchInput(upstream, ownership, bodies.maxBytes());
        this.bodies = bodies;
        // One rule table judges every path under /v1, the gateway's hand-written routes and the catch-all alike.
        this.owned = (ctx, owner) -> ownership.check(owner, ctx.method().name(), ctx.path(), ApiForwarding.jsonBody(ctx, bodies));
        this.forwarding = new ApiForwarding(relay, bodies, ownership, owned, maxUploadBytes);
    }

    /**
     * Registers the routes, each declaring the model it names and when it streams; the objects any of them names
     * are judged by the ownership rule table. Last, the catch-all that forwards every other path under /v1
     * ({@link ApiForwarding}): Javalin answers with the first route that matches, so it loses to every route.
     */
    public void register(ApiRoutes routes) {
        ApiRoute key = ApiRoute.key().readsWith(owned);
        ApiRoute named = key.modelIn(bodies, "model").streamsWhen(ctx -> bodies.relayed(ctx).flag("stream"));
        routes.post("/v1/chat/completions", named, this::chatCompletions);
        routes.post("/v1/responses", named, this::createResponse);
        routes.get("/v1/responses/{id}", key.streamsWhen(ctx -> "true".equalsIgnoreCase(ctx.queryParam("stream"))),
                this::retrieveResponse);
        routes.delete("/v1/responses/{id}", key, ctx -> plain(ctx, "DELETE", response(ctx), null));
        routes.post("/v1/responses/{id}/cancel", key, ctx -> plain(ctx, "POST", response(ctx) + "/cancel",
                optionalJson(ctx)));
        routes.get("/v1/responses/{id}/input_items", key, ctx -> plain(ctx, "GET", response(ctx) + "/input_items",
                null));
        routes.post("/v1/conversations", key, ctx -> plain(ctx, "POST", "/conversations", bodies.relayed(ctx).raw()));
        routes.get("/v1/conversations/{id}", key, ctx -> plain(ctx, "GET", conversation(ctx), null));
        routes.post("/v1/conversations/{id}", key, ctx -> plain(ctx, "POST", conversation(ctx),
                bodies.relayed(ctx).raw()));
        routes.delete("/v1/conversations/{id}", key, ctx -> plain(ctx, "DELETE", conversation(ctx), null));
        // A conversation's items are reached through it: owning the conversation is owning its items.
        routes.post("/v1/conversations/{id}/items", key, ctx -> plain(ctx, "POST", conversation(ctx) + "/items",
                bodies.relayed(ctx).raw()));
        routes.get("/v1/conversations/{id}/items", key, ctx -> plain(ctx, "GET", conversation(ctx) + "/items",
                null));
        routes.get("/v1/conversations/{id}/items/{item}", key, ctx -> plain(ctx, "GET", item(ctx), null));
        routes.delete("/v1/conversations/{id}/items/{item}", key, ctx -> plain(ctx, "DELETE", item(ctx), null));
        // A batch's lines are requests the gateway never sees: each is judged before the batch is created.
        routes.post("/v1/batches", key, this::createBatch);
        routes.get("/v1/models", key, ctx -> plain(ctx, "GET", "/models", null));
        routes.get("/v1/models/{id}", key, ctx -> plain(ctx, "GET", "/models/" + modelId(ctx), null));
        forwarding.register(routes);
    }

    private void plain(Context ctx, String method, String upstreamPath, byte[] body) {
        relay.forward(ctx, Forward.plain(method, upstreamPath, body));
    }

    /** How relayed streams end when the instance relaying them is gone: in their own API's error shape. */
    public static void registerEndings(StreamEndings endings) {
        endings.register("/v1/responses", ResponsesDialect.INSTANCE.ending())
                .register("/v1/chat/completions", ChatCompletionsDialect.INSTANCE.ending());
    }

    /**
     * How a background Responses stream goes on when the instance relaying it is gone: it is read on from upstream
     * by the instance that adopts it, with the server's key, rather than ended.
     */
    public static void registerContinuations(StreamEndings endings, UpstreamClient upstream, ExchangeListener listener) {
        endings.continueWith("/v1/responses", new ResponsesContinuation(upstream, listener));
    }

    private void chatCompletions(Context ctx) {
        JsonRequest request = bodies.relayed(ctx);
        request.requiredText("model");
        JsonNode messages = request.json().get("messages");
        if (messages == null || messages.isNull()) throw GatewayException.missingParam("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw GatewayException.invalidParam("messages", "'messages' must be a non-empty array of messages.");
        }
        boolean stream = request.flag("stream");
        String model = request.json().get("model").asText();
        if (!stream) {
            relay.forward(ctx, new Forward("POST", "/chat/completions", request.raw(), model, null, false, false));
            return;
        }
        // Usage is only in the stream when asked for: ask on the client's behalf, and drop that event for it.
        boolean clientAskedForUsage = request.json().path("stream_options").path("include_usage").asBoolean(false);
        byte[] body = clientAskedForUsage ? request.raw() : withUsageRequested(request.json());
        relay.forward(ctx, new Forward("POST", "/chat/completions", body, model, ChatCompletionsDialect.INSTANCE, false,
                !clientAskedForUsage));
    }

    private static byte[] withUsageRequested(ObjectNode json) {
        ObjectNode copy = json.deepCopy();
        JsonNode options = copy.get("stream_options");
        ObjectNode streamOptions = options instanceof ObjectNode o ? o : copy.putObject("stream_options");
        streamOptions.put("include_usage", true);
        return Json.exactBytes(copy);
    }

    private void createResponse(Context ctx) {
        JsonRequest request = bodies.relayed(ctx);
        // A stored prompt may name the model; otherwise the model is required.
        if (!request.json().has("prompt")) request.requiredText("model");
        boolean stream = request.flag("stream");
        String model = request.json().path("model").asText(null);
        // A background response runs on upstream whatever the client does, so its stream is kept for resuming.
        boolean background = request.json().path("background").asBoolean(false);
        relay.forward(ctx, new Forward("POST", "/responses", request.raw(), model,
                stream ? ResponsesDialect.INSTANCE : null, stream && background, false));
    }

    /**
     * A retrieved stream's {@code id:} lines are its events' {@code sequence_number}s, so the id a client last saw is
     * the {@code starting_after} it resumes with; {@code Last-Event-ID} (what {@code EventSource} sends when it
     * reconnects) is taken as {@code starting_after} when that is not given.
     */
    private void retrieveResponse(Context ctx) {
        boolean stream = "true".equalsIgnoreCase(ctx.queryParam("stream"));
        String startingAfter = ctx.queryParam("starting_after");
        String param = "starting_after";
        String query = null;
        String lastEventId = ctx.header("Last-Event-ID");
        if (stream && startingAfter == null && lastEventId != null && !lastEventId.isBlank()) {
            startingAfter = lastEventId.strip();
            param = "Last-Event-ID";
            query = ctx.queryString() + "&starting_after=" + startingAfter;
        }
        if (startingAfter != null && !startingAfter.matches("\\d{1,18}")) {
            throw GatewayException.invalidParam(param, "'" + param + "' must be a sequence number (0 or more).");
        }
        long firstSeq = stream && startingAfter != null ? Long.parseLong(startingAfter) + 1 : 0;
        relay.forward(ctx, new Forward("GET", response(ctx), null, null,
                stream ? ResponsesDialect.INSTANCE : null, false, false).continuing(query, firstSeq));
    }

    /**
     * Creates a batch once every line of its input file passed the checks its request would meet through the gateway
     * ({@link BatchInput}); the file itself is the caller's (admission judged {@code input_file_id}).
     */
    private void createBatch(Context ctx) {
        JsonRequest request = bodies.relayed(ctx);
        String fileId = request.requiredText("input_file_id");
        if (!ID.matcher(fileId).matches()) throw GatewayException.invalidParam("input_file_id", "'input_file_id' is not a file id.");
        batchInput.check(Admitted.of(ctx), fileId);
        relay.forward(ctx, Forward.plain("POST", "/batches", request.raw()));
    }

    private byte[] optionalJson(Context ctx) {
        return RequestBodies.hasBody(ctx) ? bodies.json(ctx).raw() : null;
    }

    private static String response(Context ctx) {
        return "/responses/" + id(ctx, "id");
    }

    private static String item(Context ctx) {
        return conversation(ctx) + "/items/" + id(ctx, "item");
    }

    private static String conversation(Context ctx) {
        return "/conversations/" + id(ctx, "id");
    }

    private static String id(Context ctx, String param) {
        String value = ctx.pathParam(param);
        if (!ID.matcher(value).matches()) {
            throw GatewayException.invalidParam(param, "'" + param + "' is not a valid id: use letters, digits, '_' and '-'.");
        }
        return value;
    }

    /** Model ids may hold dots and colons (fine-tunes: {@code ft:gpt-4o-mini:org::id}), never slashes. */
    private static String modelId(Context ctx) {
        String value = ctx.pathParam("id");
        if (!value.matches("[A-Za-z0-9_.:\\-]{1,200}")) throw GatewayException.invalidParam("id", "Not a valid model id.");
        return value;
    }
}
