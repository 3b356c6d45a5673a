package dev.switchboard.openai;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.auth.Authenticator;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.stream.StreamEndings;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.RequestBodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
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
    private final ApiOwnership ownership;
    private final Limits limits;

    public OpenAiRoutes(UpstreamClient upstream, StreamRelay streams, ExchangeListener listener, RequestBodies bodies,
                        Limits limits, ApiOwnership ownership) {
        this.relay = new OpenAiRelay(upstream, streams, listener, limits, ownership);
        this.bodies = bodies;
        this.ownership = ownership;
        this.limits = limits;
    }

    /**
     * The forwarding of every other path under /v1 ({@link ApiForwarding}), through the same relay and ownership
     * rules; its catch-all route must be registered after every other route.
     *
     * @param maxUploadBytes the largest body that is not JSON, streamed upstream ({@code SWITCHBOARD_MAX_UPLOAD_BYTES})
     */
    public ApiForwarding forwarding(long maxUploadBytes) {
        return new ApiForwarding(relay, bodies, limits, ownership, maxUploadBytes);
    }

    /** Registers the routes; they must sit behind the gateway-key check for {@code /v1/*}. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/chat/completions", withBody(this::chatCompletions));
        routes.post("/v1/responses", withBody(this::createResponse));
        routes.get("/v1/responses/{id}", owned(this::retrieveResponse));
        routes.delete("/v1/responses/{id}", owned(ctx -> plain(ctx, "DELETE", response(ctx), null)));
        routes.post("/v1/responses/{id}/cancel", owned(ctx -> plain(ctx, "POST", response(ctx) + "/cancel",
                optionalJson(ctx))));
        routes.get("/v1/responses/{id}/input_items", owned(ctx -> plain(ctx, "GET", response(ctx) + "/input_items",
                null)));
        routes.post("/v1/conversations", withBody(ctx -> plain(ctx, "POST", "/conversations", bodies.relayed(ctx).raw())));
        routes.get("/v1/conversations/{id}", owned(ctx -> plain(ctx, "GET", conversation(ctx), null)));
        routes.post("/v1/conversations/{id}", withBody(ctx -> plain(ctx, "POST", conversation(ctx),
                bodies.relayed(ctx).raw())));
        routes.delete("/v1/conversations/{id}", owned(ctx -> plain(ctx, "DELETE", conversation(ctx), null)));
        // A conversation's items are reached through it: owning the conversation is owning its items.
        routes.post("/v1/conversations/{id}/items", withBody(ctx -> plain(ctx, "POST", conversation(ctx) + "/items",
                bodies.relayed(ctx).raw())));
        routes.get("/v1/conversations/{id}/items", owned(ctx -> plain(ctx, "GET", conversation(ctx) + "/items",
                null)));
        routes.get("/v1/conversations/{id}/items/{item}", owned(ctx -> plain(ctx, "GET", item(ctx), null)));
        routes.delete("/v1/conversations/{id}/items/{item}", owned(ctx -> plain(ctx, "DELETE", item(ctx), null)));
        routes.get("/v1/models", ctx -> plain(ctx, "GET", "/models", null));
        routes.get("/v1/models/{id}", ctx -> plain(ctx, "GET", "/models/" + modelId(ctx), null));
    }

    /** {@code handler}, run when every id the request's path names is the caller's owner's. */
    private Handler owned(Handler handler) {
        return ctx -> {
            ownership.check(Authenticator.caller(ctx).owner(), ctx.method().name(), ctx.path(), null);
            handler.handle(ctx);
        };
    }

    /** {@code handler}, run when every id the request's path and JSON body name is the caller's owner's. */
    private Handler withBody(Handler handler) {
        return ctx -> {
            ownership.check(Authenticator.caller(ctx).owner(), ctx.method().name(), ctx.path(), bodies.relayed(ctx).json());
            handler.handle(ctx);
        };
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

    private byte[] optionalJson(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 ? bodies.json(ctx).raw() : null;
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
