package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.ownership.OwnedListing;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.upstream.StreamedBody;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.JsonRequest;
import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Every path under {@code /v1} that no route of the gateway answers, forwarded to OpenAI with the server's key: any
 * method, the query string as sent, the same header allowlist as the hand-written routes, and every kind of answer
 * (JSON, a stream of events, audio or a file's bytes). So an endpoint OpenAI adds works through the gateway the day
 * it ships. The exceptions are {@link RefusedPaths} (they would hand the client a way around the gateway) and the
 * gateway's own families ({@link ApiPaths#isOwn}).
 *
 * <p>A JSON body is read and parsed once (bounded by {@code SWITCHBOARD_MAX_BODY_BYTES}) for its {@code model} and the
 * ids it names; a form ({@code multipart/form-data}: an upload, audio) is streamed upstream as it arrives, bounded by
 * {@code SWITCHBOARD_MAX_UPLOAD_BYTES}, with its text fields checked as they pass ({@link MultipartFields}). Any
 * other body is refused (415): none of OpenAI's endpoints takes one, and its ids could not be judged.
 *
 * <p>Its route is a catch-all, and Javalin answers a request with the first route registered that matches: it must
 * be registered after every other route ({@link #register}). It is admitted like every route: its declaration names
 * each request by its path with the ids replaced, finds the model in a JSON body, takes a stream slot when the request
 * asks for a stream, and judges the ids the path and a JSON body name; a form's fields are judged as they pass.
 */
public final class ApiForwarding {
    /** The catch-all path: Javalin's {@code <name>} parameter takes the rest of the path, slashes included. */
    static final String PATH = "/v1/<path>";

    private final OpenAiRelay relay;
    private final RequestBodies bodies;
    private final ApiOwnership ownership;
    private final ApiRoute route;
    private final long maxUploadBytes;

    ApiForwarding(OpenAiRelay relay, RequestBodies bodies, ApiOwnership ownership, ApiRoute.OwnershipCheck owned,
                  long maxUploadBytes) {
        this.relay = relay;
        this.bodies = bodies;
        this.ownership = ownership;
        this.maxUploadBytes = maxUploadBytes;
        this.route = ApiRoute.key()
                .endpointFrom(ctx -> ApiPaths.endpointName(ctx.path()))
                .modelFrom(ctx -> textField(jsonBody(ctx, bodies), "model"))
                .streamsWhen(ctx -> asksForStream(jsonBody(ctx, bodies), ctx))
                .readsWith(owned);
    }

    /** Registers the catch-all; last of all routes, so that every route of the gateway's own takes precedence. */
    void register(ApiRoutes routes) {
        routes.anyMethod(PATH, route, this::forward);
    }

    /** The request's JSON body, parsed once; null when it has none (no body, a form, audio). */
    static JsonNode jsonBody(Context ctx, RequestBodies bodies) {
        boolean json = RequestBodies.hasBody(ctx) && RequestBodies.isJson(ctx.header("Content-Type"));
        return json ? bodies.relayed(ctx).json() : null;
    }

    private static String textField(JsonNode body, String field) {
        JsonNode value = body == null ? null : body.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    void forward(Context ctx) {
        String method = ctx.method().name();
        String path = ctx.path();
        String upstreamPath = ApiPaths.upstreamPath(path);
        String clientPath = "/v1" + upstreamPath;
        if (ApiPaths.isOwn(clientPath)) throw GatewayException.unknownRoute(method, path);
        RefusedPaths.refusal(clientPath).ifPresent(refusal -> {
            throw refusal;
        });
        String query = ApiPaths.query(ctx.queryString());
        Admitted admitted = Admitted.of(ctx);
        String contentType = ctx.header("Content-Type");
        // A list is the owner's part of it, whatever the request carries: a GET with a body is still a list, and
        // forwarding it as sent would hand back every owner's objects. (Its body, meaningless to OpenAI, is dropped.)
        Optional<OwnedListing> listing = ownership.listing(method, clientPath);
        if (listing.isPresent()) {
            relay.listOwned(ctx, clientPath, upstreamPath, listing.get());
            return;
        }
        if (!RequestBodies.hasBody(ctx)) {
            relay.forward(ctx, Forward.api(method, upstreamPath, query, null, null,
                    new ApiCall(clientPath, null, asksForStream(null, ctx))));
        } else if (RequestBodies.isJson(contentType)) {
            JsonRequest request = bodies.relayed(ctx);
            relay.forward(ctx, Forward.api(method, upstreamPath, query, request.raw(), admitted.model(),
                    new ApiCall(clientPath, null, asksForStream(request.json(), ctx))));
        } else if (MultipartFields.isForm(contentType)) {
            StreamedBody body = new StreamedBody(formChecked(ctx, admitted, method, clientPath, contentType),
                    ctx.req().getContentLengthLong(), contentType, maxUploadBytes);
            relay.forward(ctx, Forward.api(method, upstreamPath, query, null, null,
                    new ApiCall(clientPath, body, false)));
        } else {
            // Every body OpenAI's API takes is JSON or a form, the two the gateway reads for ids and models. Any other
            // would pass unread: were upstream to parse it after all, it could name another owner's objects.
            throw new GatewayException(415, "invalid_request_error", "unsupported_media_type", null, "Content-Type '"
                    + contentType + "' is not one OpenAI's API takes: send JSON (application/json) or a form "
                    + "(multipart/form-data).");
        }
    }

    /**
     * The client's body, with a form's text fields checked as they pass: {@code model} against the key's allowed
     * models (and recorded as the request's model), every field against the ownership rules. A refusal aborts the
     * upstream request before the body ends and becomes the answer.
     */
    private InputStream formChecked(Context ctx, Admitted admitted, String method, String clientPath, String contentType) {
        InputStream in;
        try {
            in = ctx.req().getInputStream();
        } catch (IOException e) {
            throw new GatewayException(400, "invalid_request_error", "request_body_incomplete", null,
                    "The request body could not be read.");
        }
        return MultipartFields.wrap(in, contentType, (name, value) -> {
            if (name.equals("model")) {
                admitted.requireModel(value);
                admitted.exchange().model(value);
            }
            ownership.checkFormField(admitted.owner(), method, clientPath, name, value);
        });
    }

    /** The request says it wants a stream: {@code stream: true}, {@code stream_format: "sse"}, or {@code ?stream=true}. */
    private static boolean asksForStream(JsonNode body, Context ctx) {
        if ("true".equalsIgnoreCase(ctx.queryParam("stream"))) return true;
        if (body == null) return false;
        return body.path("stream").asBoolean(false) || "sse".equals(body.path("stream_format").asText(null));
    }
}
