package dev.switchboard.documents;

import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code POST /api/documents} stores a document (the request body: PNG, JPEG, WebP, GIF or PDF) and answers with a
 * signed URL; {@code GET /documents/{id}?expires=&key=&signature=} serves it to whoever holds that URL, until it
 * expires or the key that uploaded it is revoked.
 */
final class DocumentRoutes {
    private final DocumentStore store;
    private final SignedUrls signedUrls;
    private final RequestBodies bodies;

    DocumentRoutes(DocumentStore store, SignedUrls signedUrls, RequestBodies bodies) {
        this.store = store;
        this.signedUrls = signedUrls;
        this.bodies = bodies;
    }

    void register(ApiRoutes routes) {
        routes.post("/api/documents", ApiRoute.key(), this::upload);
        // OpenAI fetches these: the URL's signature is the credential, checked by serve.
        routes.get(SignedUrls.PATH + "{id}", ApiRoute.open(), this::serve);
    }

    private void upload(Context ctx) {
        byte[] bytes = bodies.bytes(ctx);
        MediaType type = MediaType.sniff(bytes);
        if (type == null) {
            throw new GatewayException(415, "invalid_request_error", "unsupported_document", null,
                    "Upload a PNG, JPEG, WebP, GIF or PDF file as the request body.");
        }
        String id = "doc_" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        store.insert(id, Admitted.of(ctx).caller().owner(), type, bytes);
        String url = signedUrls.sign(id, Admitted.of(ctx).caller());
        ctx.status(201).contentType("application/json").result(Json.write(Json.object().put("id", id).put("object", "document")
                .put("media_type", type.mime()).put("size", bytes.length).put("url", url)
                .put("expires_at", System.currentTimeMillis() / 1000 + SignedUrls.LIFETIME.toSeconds())));
    }

    private void serve(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            signedUrls.verify(id, ctx.queryParam("expires"), ctx.queryParam("key"), ctx.queryParam("signature"));
        } catch (DocumentRefused e) {
            int status = switch (e.code()) {
                case "expired" -> 410;
                case "key_revoked" -> 401;
                default -> 403;
            };
            throw new GatewayException(status, "invalid_request_error", e.code(), null, e.getMessage());
        }
        DocumentStore.Stored stored = store.find(id).orElseThrow(() -> GatewayException.notFound("document", id));
        ctx.header("X-Content-Type-Options", "nosniff").header("Content-Disposition", "inline")
                .contentType(stored.type().mime()).result(stored.bytes());
    }
}
