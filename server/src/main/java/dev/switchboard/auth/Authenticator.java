package dev.switchboard.auth;

import dev.switchboard.web.AccessLog;
import dev.switchboard.web.GatewayException;
import io.javalin.http.Context;
import java.util.List;

/**
 * Before-handler that admits a request only with a valid gateway key, taken from {@code Authorization: Bearer}
 * or {@code X-API-Key}, and remembers the {@link Caller} for the handlers.
 */
public final class Authenticator {
    private static final String CALLER = "switchboard.caller";

    private final ApiKeys keys;
    private final StreamTokens tokens;
    private final List<String> tokenPaths;

    /**
     * @param tokenPaths path prefixes where a GET may authenticate with a stream token ({@code ?access_token=})
     *                   instead of a key, for browsers' {@code EventSource}
     */
    public Authenticator(ApiKeys keys, StreamTokens tokens, List<String> tokenPaths) {
        this.keys = keys;
        this.tokens = tokens;
        this.tokenPaths = List.copyOf(tokenPaths);
    }

    public void requireKey(Context ctx) {
        if (ctx.attribute(CALLER) != null) return;
        String presented = presentedKey(ctx);
        String token = ctx.queryParam("access_token");
        if (presented == null && token != null && acceptsTokens(ctx)) {
            admit(ctx, tokens.verify(token).orElseThrow(() -> new GatewayException(401, "invalid_request_error",
                    "invalid_stream_token", null, "The stream token is not valid, has expired, or the key that minted it was revoked; "
                            + "mint a new one with a valid key.")));
            return;
        }
        if (presented == null) throw GatewayException.missingKey();
        admit(ctx, keys.authenticate(presented).orElseThrow(GatewayException::invalidKey));
    }

    private static void admit(Context ctx, Caller caller) {
        ctx.attribute(CALLER, caller);
        AccessLog.keyId(ctx, caller.keyId());
    }

    /**
     * The caller of a WebSocket upgrade, checked before the upgrade: a gateway key or a token for {@code scope} (or a
     * scope under it, {@code scope:…}), in
     * {@code Authorization: Bearer} or, for browsers, which cannot set headers, in the
     * {@code openai-insecure-api-key.} subprotocol. Refused with 401 otherwise.
     */
    public Caller upgradeCaller(Context ctx, String scope) {
        String presented = presentedKey(ctx);
        if (presented == null) presented = subprotocolKey(ctx.header("Sec-WebSocket-Protocol"));
        if (presented == null) throw GatewayException.missingKey();
        Caller caller = presented.startsWith("sbt_")
                ? tokens.verify(presented).filter(verified -> verified.mayRead(scope))
                        .orElseThrow(() -> new GatewayException(401, "invalid_request_error", "invalid_stream_token", null,
                                "The token is not valid here, has expired, or the key that minted it was revoked; "
                                        + "mint a new one with a valid key."))
                : keys.authenticate(presented).orElseThrow(GatewayException::invalidKey);
        AccessLog.keyId(ctx, caller.keyId());
        return caller;
    }

    /** The subprotocol browsers use to carry a key: {@code openai-insecure-api-key.KEY}. */
    public static final String KEY_SUBPROTOCOL = "openai-insecure-api-key.";

    private static String subprotocolKey(String protocols) {
        if (protocols == null) return null;
        for (String protocol : protocols.split(",")) {
            String trimmed = protocol.trim();
            if (trimmed.startsWith(KEY_SUBPROTOCOL) && trimmed.length() > KEY_SUBPROTOCOL.length()) {
                return trimmed.substring(KEY_SUBPROTOCOL.length());
            }
        }
        return null;
    }

    private boolean acceptsTokens(Context ctx) {
        return ctx.method().name().equals("GET") && tokenPaths.stream().anyMatch(ctx.path()::startsWith);
    }

    public void requireAdmin(Context ctx) {
        requireKey(ctx);
        if (!caller(ctx).admin()) throw GatewayException.adminOnly();
    }

    /** The authenticated caller; only valid behind {@link #requireKey}. */
    public static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) throw new IllegalStateException("route is not behind the authenticator");
        return caller;
    }

    private static String presentedKey(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            if (!token.isEmpty()) return token;
        }
        String apiKey = ctx.header("X-API-Key");
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    }
}
