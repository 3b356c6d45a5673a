package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.RequestBodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * The OpenAI-compatible surface: Chat Completions, Responses (with background resume and cancel), Conversations
 * and Models, forwarded with the server's key. An unmodified OpenAI SDK works by pointing its base URL here and
 * using a gateway key. Streaming is decided by the body's {@code stream} field (the SDKs send
 * {@code Accept: application/json} even for streams) or, for retrieval, the {@code stream} query parameter.
 */
public final class OpenAiRoutes {
    /** Ids are forwarded into upstream paths, so only id characters are allowed: no slashes, dots or escapes. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");

    private final OpenAiRelay relay;
    private final RequestBodies bodies;

    public OpenAiRoutes(UpstreamClient upstream, RequestBodies bodies) {
        this.relay = new OpenAiRelay(upstream);
        this.bodies = bodies;
    }

    /** Registers the routes; they must sit behind the gateway-key check for {@code /v1/*}. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/chat/completions", this::chatCompletions);
        routes.post("/v1/responses", this::createResponse);
        routes.get("/v1/responses/{id}", this::retrieveResponse);
        routes.delete("/v1/responses/{id}", ctx -> relay.forward(ctx, "DELETE", "/responses/" + id(ctx, "id"), null, null));
        routes.post("/v1/responses/{id}/cancel", ctx -> relay.forward(ctx, "POST",
                "/responses/" + id(ctx, "id") + "/cancel", optionalJson(ctx), null));
        routes.get("/v1/responses/{id}/input_items", ctx -> relay.forward(ctx, "GET",
                "/responses/" + id(ctx, "id") + "/input_items", null, null));
        routes.post("/v1/conversations", ctx -> relay.forward(ctx, "POST", "/conversations", bodies.json(ctx).raw(), null));
        routes.get("/v1/conversations/{id}", ctx -> relay.forward(ctx, "GET", conversation(ctx), null, null));
        routes.post("/v1/conversations/{id}", ctx -> relay.forward(ctx, "POST", conversation(ctx), bodies.json(ctx).raw(), null));
        routes.delete("/v1/conversations/{id}", ctx -> relay.forward(ctx, "DELETE", conversation(ctx), null, null));
        routes.post("/v1/conversations/{id}/items", ctx -> relay.forward(ctx, "POST", conversation(ctx) + "/items",
                bodies.json(ctx).raw(), null));
        routes.get("/v1/conversations/{id}/items", ctx -> relay.forward(ctx, "GET", conversation(ctx) + "/items", null, null));
        routes.get("/v1/conversations/{id}/items/{item}", ctx -> relay.forward(ctx, "GET",
                conversation(ctx) + "/items/" + id(ctx, "item"), null, null));
        routes.delete("/v1/conversations/{id}/items/{item}", ctx -> relay.forward(ctx, "DELETE",
                conversation(ctx) + "/items/" + id(ctx, "item"), null, null));
        routes.get("/v1/models", ctx -> relay.forward(ctx, "GET", "/models", null, null));
        routes.get("/v1/models/{id}", ctx -> relay.forward(ctx, "GET", "/models/" + modelId(ctx), null, null));
    }

    private void chatCompletions(Context ctx) {
        JsonRequest request = bodies.json(ctx);
        request.requiredText("model");
        JsonNode messages = request.json().get("messages");
        if (messages == null || messages.isNull()) throw GatewayException.missingParam("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw GatewayException.invalidParam("messages", "'messages' must be a non-empty array of messages.");
        }
        boolean stream = request.flag("stream");
        relay.forward(ctx, "POST", "/chat/completions", request.raw(), stream ? ChatCompletionsDialect.INSTANCE : null);
    }

    private void createResponse(Context ctx) {
        JsonRequest request = bodies.json(ctx);
        // A stored prompt may name the model; otherwise the model is required.
        if (!request.json().has("prompt")) request.requiredText("model");
        boolean stream = request.flag("stream");
        relay.forward(ctx, "POST", "/responses", request.raw(), stream ? ResponsesDialect.INSTANCE : null);
    }

    private void retrieveResponse(Context ctx) {
        boolean stream = "true".equalsIgnoreCase(ctx.queryParam("stream"));
        String startingAfter = ctx.queryParam("starting_after");
        if (startingAfter != null && !startingAfter.matches("\\d{1,18}")) {
            throw GatewayException.invalidParam("starting_after", "'starting_after' must be a sequence number (0 or more).");
        }
        relay.forward(ctx, "GET", "/responses/" + id(ctx, "id"), null, stream ? ResponsesDialect.INSTANCE : null);
    }

    private byte[] optionalJson(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 ? bodies.json(ctx).raw() : null;
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
