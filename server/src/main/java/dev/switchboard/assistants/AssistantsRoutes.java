package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Authenticator;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The Assistants API v2, kept alive by the gateway: assistants, threads and messages, stored in its database and
 * scoped to the calling key's owner (another owner's objects answer 404). {@code OpenAI-Beta: assistants=v2} is
 * accepted and not required.
 */
public final class AssistantsRoutes {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private final AssistantService assistants;
    private final ThreadService threads;
    private final RequestBodies bodies;

    public AssistantsRoutes(Jdbi jdbi, RequestBodies bodies) {
        this.assistants = new AssistantService(new Documents(jdbi, "assistants", false));
        this.threads = new ThreadService(new Documents(jdbi, "threads", false), new Documents(jdbi, "thread_messages", true));
        this.bodies = bodies;
    }

    /** Registers the routes; they must sit behind the gateway-key check for {@code /v1/*}. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/assistants", ctx -> json(ctx, assistants.create(owner(ctx), body(ctx))));
        routes.get("/v1/assistants", ctx -> json(ctx, assistants.list(owner(ctx), Page.of(ctx))));
        routes.get("/v1/assistants/{id}", ctx -> json(ctx, assistants.retrieve(owner(ctx), id(ctx, "id"))));
        routes.post("/v1/assistants/{id}", ctx -> json(ctx, assistants.modify(owner(ctx), id(ctx, "id"), body(ctx))));
        routes.delete("/v1/assistants/{id}", ctx -> json(ctx, assistants.delete(owner(ctx), id(ctx, "id"))));

        routes.post("/v1/threads", ctx -> json(ctx, threads.createThread(owner(ctx), optionalBody(ctx))));
        routes.get("/v1/threads/{id}", ctx -> json(ctx, threads.retrieveThread(owner(ctx), id(ctx, "id"))));
        routes.post("/v1/threads/{id}", ctx -> json(ctx, threads.modifyThread(owner(ctx), id(ctx, "id"), body(ctx))));
        routes.delete("/v1/threads/{id}", ctx -> json(ctx, threads.deleteThread(owner(ctx), id(ctx, "id"))));

        routes.post("/v1/threads/{id}/messages", ctx -> json(ctx, threads.createMessage(owner(ctx), id(ctx, "id"), body(ctx))));
        routes.get("/v1/threads/{id}/messages", ctx -> json(ctx, threads.listMessages(owner(ctx), id(ctx, "id"), Page.of(ctx))));
        routes.get("/v1/threads/{id}/messages/{message}", ctx -> json(ctx,
                threads.retrieveMessage(owner(ctx), id(ctx, "id"), id(ctx, "message"))));
        routes.post("/v1/threads/{id}/messages/{message}", ctx -> json(ctx,
                threads.modifyMessage(owner(ctx), id(ctx, "id"), id(ctx, "message"), body(ctx))));
        routes.delete("/v1/threads/{id}/messages/{message}", ctx -> json(ctx,
                threads.deleteMessage(owner(ctx), id(ctx, "id"), id(ctx, "message"))));
    }

    private ObjectNode body(Context ctx) {
        return bodies.json(ctx).json();
    }

    /** {@code POST /v1/threads} may come with no body at all. */
    private ObjectNode optionalBody(Context ctx) {
        return ctx.req().getContentLengthLong() == 0 ? Json.object() : body(ctx);
    }

    private static String owner(Context ctx) {
        return Authenticator.caller(ctx).owner();
    }

    /** An id that is not of the form the gateway issues cannot exist: 404, as for any unknown id. */
    private static String id(Context ctx, String param) {
        String value = ctx.pathParam(param);
        if (!ID.matcher(value).matches()) throw GatewayException.notFound("No object found with id '" + value + "'");
        return value;
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.write(body));
    }
}
