package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.auth.Authenticator;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * Puts routes' owned references in front of their handlers: a route says which path parameters and body fields
 * name owned objects, and a request naming one its caller's owner did not create is refused before anything is
 * forwarded. Admin keys have no part in this: they administer the gateway, not the objects other owners keep at
 * OpenAI.
 */
public final class OwnershipGuard {
    private final OwnedObjects objects;
    private final RequestBodies bodies;

    public OwnershipGuard(OwnedObjects objects, RequestBodies bodies) {
        this.objects = objects;
        this.bodies = bodies;
    }

    public OwnedObjects objects() {
        return objects;
    }

    /** {@code handler}, run only when every id that {@code references} find belongs to the caller's owner. */
    public Handler guard(Handler handler, OwnedReference... references) {
        return ctx -> {
            check(ctx, references);
            handler.handle(ctx);
        };
    }

    private void check(Context ctx, OwnedReference[] references) {
        String owner = Authenticator.caller(ctx).owner();
        JsonNode body = null;
        for (OwnedReference reference : references) {
            String id;
            if (reference.inPath()) {
                id = reference.pathId(ctx.pathParam(reference.name()));
            } else {
                if (body == null) body = bodies.relayed(ctx).json();
                id = reference.bodyId(body);
                if (id == null) continue;
            }
            if (!objects.owns(owner, reference.kind(), id)) throw reference.unknown().apply(id);
        }
    }
}
