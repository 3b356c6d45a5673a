package dev.switchboard.pipeline;

import dev.switchboard.web.RequestBodies;
import io.javalin.http.Context;
import io.javalin.router.EndpointMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a route needs from the gateway before its handler runs, declared where the route is registered
 * ({@link ApiRoutes}): who may call it, the endpoint name its requests are recorded under, the model it names, whether
 * it takes one of the key's concurrent streams (or Realtime sessions), and the rules that find the owned objects it names.
 * {@link Admission} does the checks from this and nothing else, so a route cannot skip one by forgetting a call.
 *
 * @param access   who may call it
 * @param endpoint the name a request is recorded under, from the request (a catch-all route names each path with its
 *                 ids replaced); null for the route's path template
 * @param model    the model a request names (read after authentication, so it may use the caller); null for none
 * @param streaming whether a request takes one of the key's concurrent streams until it ends
 * @param realtime whether a request takes one of the key's concurrent Realtime sessions (a WebSocket's, handed over)
 * @param scope    for {@link Access#KEY_OR_STREAM_TOKEN} upgrades, what the token must be allowed to read
 * @param checks   the ownership rules of the objects a request names (for OpenAI's API, one rule table for every
 *                 path: {@code ownership.ApiOwnership}): each refuses a request naming an object its caller's owner lacks
 */
public record ApiRoute(Access access, Function<Context, String> endpoint, Function<Context, String> model,
                       Predicate<Context> streaming, boolean realtime, String scope,
                       List<OwnershipCheck> checks)
        implements EndpointMetadata {

    /** An ownership rule: throws the answer OpenAI gives for an unknown object when the request names another owner's. */
    @FunctionalInterface
    public interface OwnershipCheck {
        void check(Context ctx, String owner);
    }

    /** Who may call a route. */
    public enum Access {
        /** Anyone: the route authenticates in its own way (a signature) or has nothing to protect. */
        PUBLIC,
        /** A gateway key. */
        KEY,
        /** A gateway key, or a stream token ({@code ?access_token=} on a GET, the subprotocol on an upgrade). */
        KEY_OR_STREAM_TOKEN,
        /** An admin key; not limited, so an administrator can always change a limit. */
        ADMIN
    }

    private static final Predicate<Context> NEVER = ctx -> false;

    public ApiRoute {
        checks = List.copyOf(checks);
    }

    /** A route any gateway key may call. */
    public static ApiRoute key() {
        return new ApiRoute(Access.KEY, null, null, NEVER, false, null, List.of());
    }

    /** A route only admin keys may call. */
    public static ApiRoute admin() {
        return key().access(Access.ADMIN);
    }

    /** A route a key, or a token minted with one for {@code scope} (or a scope under it), may call. */
    public static ApiRoute keyOrStreamToken(String scope) {
        return new ApiRoute(Access.KEY_OR_STREAM_TOKEN, null, null, NEVER, false, scope, List.of());
    }

    /** A route with no gateway credential (it checks its own, such as a signature). */
    public static ApiRoute open() {
        return key().access(Access.PUBLIC);
    }

    public ApiRoute access(Access access) {
        return new ApiRoute(access, endpoint, model, streaming, realtime, scope, checks);
    }

    /** Recorded as {@code name} rather than its path template. */
    public ApiRoute endpoint(String name) {
        return endpointFrom(ctx -> name);
    }

    /** Recorded under the name {@code naming} gives each request (a catch-all route: the path with its ids replaced). */
    public ApiRoute endpointFrom(Function<Context, String> naming) {
        return new ApiRoute(access, naming, model, streaming, realtime, scope, checks);
    }

    /** The model is the JSON body's {@code field} (absent, or no body at all: none named). */
    public ApiRoute modelIn(RequestBodies bodies, String field) {
        return modelFrom(ctx -> {
            if (!RequestBodies.hasBody(ctx)) return null;
            var value = bodies.relayed(ctx).json().get(field);
            return value != null && value.isTextual() ? value.asText() : null;
        });
    }

    /** The model, as {@code model} finds it (in a stored object, a query parameter, a token's session). */
    public ApiRoute modelFrom(Function<Context, String> model) {
        return new ApiRoute(access, endpoint, model, streaming, realtime, scope, checks);
    }

    /** Takes a concurrent stream whenever {@code when} says the request streams. */
    public ApiRoute streamsWhen(Predicate<Context> when) {
        return new ApiRoute(access, endpoint, model, when, realtime, scope, checks);
    }

    /** Every request streams. */
    public ApiRoute streams() {
        return streamsWhen(ctx -> true);
    }

    /** Takes a concurrent Realtime session, which the handler keeps for the session ({@link Admitted#handOver}). */
    public ApiRoute realtimeSession() {
        return new ApiRoute(access, endpoint, model, streaming, true, scope, checks);
    }


    /** Names owned objects where {@code rule} finds them; checked with the caller's owner. */
    public ApiRoute readsWith(OwnershipCheck rule) {
        List<OwnershipCheck> all = new ArrayList<>(checks);
        all.add(rule);
        return new ApiRoute(access, endpoint, model, streaming, realtime, scope, all);
    }


    ApiRoute named(String path) {
        return endpoint != null ? this : endpoint(path);
    }
}
