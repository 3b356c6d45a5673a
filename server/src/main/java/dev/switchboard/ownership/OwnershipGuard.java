package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.util.List;

/**
 * Checks a route's owned references before its handler: a route declares which path parameters and body fields
 * name owned objects ({@code pipeline.ApiRoute.reads}), and a request naming one its caller's owner did not create
 * is refused before anything is forwarded. Admin keys have no part in this: they administer the gateway, not the
 * objects other owners keep at OpenAI.
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

    /** Refuses the request unless every id that {@code references} find belongs to {@code owner}. */
    public void check(Context ctx, String owner, List<OwnedReference> references) {
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
