package dev.switchboard.pipeline;

import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.Caller;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.web.AccessLog;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.RequestIds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Function;

/**
 * The one way into the gateway's API: every route of {@code /v1} and {@code /api} (WebSocket upgrades and
 * {@code /mcp} included) is admitted here, in this order, from its {@link ApiRoute}: the caller (a key, a stream
 * token where the route allows one, an admin key where it asks for one), the key's limits (allowed endpoints, request
 * rate, token budgets, the model the request names, a concurrent stream when it streams), and the ownership of the
 * objects it names. The {@link Admitted} it leaves on the request holds the caller, the slot and the request's
 * {@link Exchange}.
 */
public final class Admission {
    private final ApiKeys keys;
    private final StreamTokens tokens;
    private final Limits limits;
    private final ExchangeListener listener;
    private final Set<String> declared = new ConcurrentSkipListSet<>();

    public Admission(ApiKeys keys, StreamTokens tokens, Limits limits, ExchangeListener listener) {
        this.keys = keys;
        this.tokens = tokens;
        this.limits = limits;
        this.listener = listener;
    }

    /** Where routes are declared; installs the check that refuses a matched route nobody declared. */
    public ApiRoutes routes(RoutesConfig routes) {
        return new ApiRoutes(routes, this);
    }

    /** Installs, once, the refusal of any matched {@code /v1} or {@code /api} route that was not declared. */
    public void guardUndeclared(RoutesConfig routes) {
        routes.beforeMatched(ctx -> {
            var matched = ctx.endpoints().matchedHttpEndpoint();
            if (matched != null && isApi(ctx.path()) && matched.metadata(ApiRoute.class) == null) {
                throw new IllegalStateException(ctx.method() + " " + matched.path + " is not declared (ApiRoutes)");
            }
        });
    }

    /** Whether a path is the gateway's API, where every route must be declared. */
    public static boolean isApi(String path) {
        return path.startsWith("/v1/") || path.equals("/v1") || path.startsWith("/api/") || path.equals("/mcp")
                || path.startsWith("/mcp/");
    }

    void declare(String method, String path) {
        declared.add(method + " " + path);
    }

    /** Every declared route, as {@code "METHOD /path"}. */
    public Set<String> declared() {
        return new TreeSet<>(declared);
    }

    /** Admits an HTTP request, runs its handler, then ends what admission started (the exchange, the slot). */
    void handle(ApiRoute route, Context ctx, Handler handler) throws Exception {
        Admitted admitted = admit(route, Incoming.of(ctx), ctx, RequestIds.of(ctx));
        try {
            handler.handle(ctx);
        } catch (Exception e) {
            admitted.failed(e);
            throw e;
        }
        admitted.answered(ctx.statusCode());
    }

    /**
     * Admits a WebSocket upgrade, before it happens (so a refusal is an HTTP error): the caller from the header or
     * the browser's key subprotocol. The session takes the slot and the exchange ({@link Admitted#handOver}); when the
     * upgrade is refused after this, {@link #refused} ends them.
     */
    public Admitted admitUpgrade(ApiRoute route, Context ctx) {
        return admit(route, Incoming.upgrade(ctx), ctx, RequestIds.of(ctx));
    }

    /** An admitted upgrade that was refused after all: its exchange and slot end with the refusal. */
    public void refused(Admitted admitted, Exception e) {
        admitted.failed(e);
    }

    /**
     * Admits a request that is not Javalin's ({@code /mcp}, a servlet of its own): the same checks; the caller's
     * handler ends it with {@link #ended}.
     */
    public Admitted admit(ApiRoute route, Incoming incoming, String requestId) {
        return admit(route, incoming, null, requestId);
    }

    /** A servlet's request was answered with {@code status} (or failed with {@code failure}, when not null). */
    public void ended(Admitted admitted, int status, Exception failure) {
        if (failure != null) admitted.failed(failure);
        else admitted.answered(status);
    }

    private Admitted admit(ApiRoute route, Incoming incoming, Context ctx, String requestId) {
        Caller caller = authenticate(route, incoming);
        if (ctx != null && caller != null) AccessLog.keyId(ctx, caller.keyId());
        String endpoint = route.endpoint().apply(ctx);
        Admitted admitted;
        if (caller == null) {
            admitted = new Admitted(route, requestId, endpoint, null, limits, null, null, this::exchange);
        } else {
            boolean limited = route.access() != ApiRoute.Access.ADMIN;
            if (limited) limits.requireEndpoint(caller, incoming.path());
            // A partly admitted request (no model yet) is visible to the model's function, which may need the caller.
            Admitted provisional = new Admitted(route, requestId, endpoint, caller, limits, null, null, (a, s) -> null);
            if (ctx != null) ctx.attribute(Admitted.ATTRIBUTE, provisional);
            String model = route.model() == null || ctx == null ? null : route.model().apply(ctx);
            if (limited) limits.requireModel(caller, model);
            // Counted against the rate only once the key may use what it asks for: a 403 spends none of its minute.
            if (limited) limits.admit(caller, incoming.path());
            if (ctx != null) for (ApiRoute.OwnershipCheck check : route.checks()) check.check(ctx, caller.owner());
            Limits.Slot slot = null;
            if (limited && route.realtime()) slot = limits.openRealtime(caller);
            else if (limited && ctx != null && route.streaming().test(ctx)) slot = limits.openStream(caller);
            else if (!limited && ctx != null && route.streaming().test(ctx)) slot = Limits.Slot.none();
            admitted = new Admitted(route, requestId, endpoint, caller, limits, model, slot, this::exchange);
        }
        if (ctx != null) ctx.attribute(Admitted.ATTRIBUTE, admitted);
        return admitted;
    }

    /** The request's exchange: taken for an upstream call ({@code answeredHere} null), or answered by the gateway. */
    private Exchange exchange(Admitted admitted, Integer answeredHere) {
        Caller caller = admitted.caller();
        if (answeredHere != null) {
            return Exchange.answeredByGateway(admitted.requestId(), caller == null ? null : caller.keyId(),
                    caller == null ? null : caller.keyName(), caller == null ? null : caller.owner(), admitted.endpoint(),
                    admitted.model(), admitted.streams(), listener, admitted.startedAt(), admitted.startedNanos(), answeredHere);
        }
        return new Exchange(admitted.requestId(), caller == null ? null : caller.keyId(), caller == null ? null : caller.keyName(),
                caller == null ? null : caller.owner(), admitted.endpoint(), admitted.model(),
                admitted.streams(), listener, admitted.startedAt(), admitted.startedNanos());
    }

    private Caller authenticate(ApiRoute route, Incoming incoming) {
        if (route.access() == ApiRoute.Access.PUBLIC) return null;
        String presented = incoming.key();
        boolean tokenAllowed = route.access() == ApiRoute.Access.KEY_OR_STREAM_TOKEN;
        Caller caller;
        if (presented == null && tokenAllowed && incoming.queryToken() != null) {
            caller = verifiedToken(incoming.queryToken(), route.scope());
        } else if (presented == null) {
            throw GatewayException.missingKey();
        } else if (tokenAllowed && incoming.upgrade() && presented.startsWith("sbt_")) {
            caller = verifiedToken(presented, route.scope());
        } else {
            caller = keys.authenticate(presented)
                    .orElseThrow(() -> GatewayException.invalidKey(ApiKeys.looksLikeGatewayKey(presented)));
        }
        if (route.access() == ApiRoute.Access.ADMIN && !caller.admin()) throw GatewayException.adminOnly();
        return caller;
    }

    private Caller verifiedToken(String token, String scope) {
        Optional<Caller> verified = tokens.verify(token);
        return verified.filter(caller -> scope == null || caller.mayRead(scope)).orElseThrow(() ->
                new GatewayException(401, "invalid_request_error", "invalid_stream_token", null,
                        "The token is not valid here, has expired, or the key that minted it was revoked; "
                                + "mint a new one with a valid key."));
    }

    /** What admission reads of a request, whoever serves it (Javalin, an upgrade, a servlet). */
    public interface Incoming {
        /** The gateway key presented, or null. */
        String key();

        /** A stream token in {@code ?access_token=} on a GET, or null. */
        String queryToken();

        String path();

        /** Whether this is a WebSocket upgrade (a token may then come where a key would). */
        boolean upgrade();

        static Incoming of(Context ctx) {
            return new Simple(Credentials.presented(ctx::header),
                    ctx.method().name().equals("GET") ? ctx.queryParam("access_token") : null, ctx.path(), false);
        }

        static Incoming upgrade(Context ctx) {
            String key = Credentials.presented(ctx::header);
            if (key == null) key = Credentials.subprotocolKey(ctx.header("Sec-WebSocket-Protocol"));
            return new Simple(key, null, ctx.path(), true);
        }

        /** A request read through its headers alone (a servlet's). */
        static Incoming ofHeaders(Function<String, String> header, String path) {
            return new Simple(Credentials.presented(header), null, path, false);
        }
    }

    private record Simple(String key, String queryToken, String path, boolean upgrade) implements Incoming {}

    /** Where credentials travel. */
    static final class Credentials {
        private Credentials() {}

        static String presented(Function<String, String> header) {
            String authorization = header.apply("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                String token = authorization.substring(7).trim();
                if (!token.isEmpty()) return token;
            }
            String apiKey = header.apply("X-API-Key");
            return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
        }

        static String subprotocolKey(String protocols) {
            if (protocols == null) return null;
            for (String protocol : protocols.split(",")) {
                String trimmed = protocol.trim();
                if (trimmed.startsWith(KEY_SUBPROTOCOL) && trimmed.length() > KEY_SUBPROTOCOL.length()) {
                    return trimmed.substring(KEY_SUBPROTOCOL.length());
                }
            }
            return null;
        }
    }

    /** The subprotocol browsers use to carry a key: {@code openai-insecure-api-key.KEY}. */
    public static final String KEY_SUBPROTOCOL = "openai-insecure-api-key.";

}
