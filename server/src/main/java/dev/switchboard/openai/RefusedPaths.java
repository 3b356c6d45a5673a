package dev.switchboard.openai;

import dev.switchboard.web.GatewayException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The paths of OpenAI's API the gateway never forwards, each with its reason, in one list. Forwarded with the server's
 * key, each would hand the client something that reaches OpenAI without the gateway: an ephemeral key ({@code ek_}),
 * an organization's admin powers (API keys, service accounts), or a session no gateway watches. The refusal says what
 * to use instead. Matched on the path as it would go upstream, ignoring case, with any method and any subpath.
 */
final class RefusedPaths {
    static final String CLIENT_SECRET = "client_secret_not_forwarded";
    static final String ADMIN_API = "admin_api_not_forwarded";
    static final String REALTIME_CALL = "realtime_call_not_forwarded";

    private static final String USE_REALTIME_BROKER = "Use the gateway's Realtime broker instead: POST /api/realtime/tokens "
            + "mints a gateway token for the WebSocket relay at /v1/realtime, and POST /api/realtime/session starts a "
            + "WebRTC call (or, with {\"method\":\"client_secret\"}, a credential for one session) that the gateway watches.";

    /** One refused family of paths. */
    record Refused(Pattern path, String code, String message) {
        static Refused of(String prefix, String code, String message) {
            return new Refused(Pattern.compile(Pattern.quote(prefix.toLowerCase(Locale.ROOT)) + "(/.*)?"), code, message);
        }
    }

    static final List<Refused> REFUSED = List.of(
            Refused.of("/v1/realtime/client_secrets", CLIENT_SECRET, "The gateway does not forward "
                    + "/v1/realtime/client_secrets: OpenAI's ek_ client secret would let the client call OpenAI without "
                    + "the gateway. " + USE_REALTIME_BROKER),
            Refused.of("/v1/realtime/translations/client_secrets", CLIENT_SECRET, "The gateway does not forward "
                    + "/v1/realtime/translations/client_secrets: OpenAI's ek_ client secret would let the client call "
                    + "OpenAI without the gateway. " + USE_REALTIME_BROKER),
            Refused.of("/v1/realtime/sessions", CLIENT_SECRET, "The gateway does not forward /v1/realtime/sessions: its "
                    + "answer carries an ek_ client secret that would let the client call OpenAI without the gateway. "
                    + USE_REALTIME_BROKER),
            Refused.of("/v1/realtime/transcription_sessions", CLIENT_SECRET, "The gateway does not forward "
                    + "/v1/realtime/transcription_sessions: its answer carries an ek_ client secret that would let the "
                    + "client call OpenAI without the gateway. " + USE_REALTIME_BROKER),
            Refused.of("/v1/realtime/calls", REALTIME_CALL, "The gateway does not forward /v1/realtime/calls: a call "
                    + "made with the gateway's OpenAI key would run between the client and OpenAI with no gateway watching "
                    + "it (no usage, no limits, no hang-up). Start WebRTC calls with POST /api/realtime/session, which "
                    + "brokers them and holds each by its sideband; end one with POST /api/realtime/calls/{call_id}/hangup."),
            Refused.of("/v1/chatkit/sessions", CLIENT_SECRET, "The gateway does not forward /v1/chatkit/sessions: "
                    + "its answer carries a client secret that would let the client call OpenAI without the gateway. "
                    + "Use POST /api/chatkit/session (and POST /api/chatkit/session/{id}/cancel)."),
            Refused.of("/v1/organization", ADMIN_API, "The gateway does not forward OpenAI's organization admin API "
                    + "(/v1/organization/...): it creates API keys, users and service accounts that reach OpenAI without "
                    + "the gateway, and needs an admin key the gateway does not hold. Manage the organization in OpenAI's "
                    + "dashboard or with an admin key sent to OpenAI directly; gateway keys are managed at /api/admin/keys."),
            Refused.of("/v1/projects", ADMIN_API, "The gateway does not forward OpenAI's project admin API "
                    + "(/v1/projects/...): it creates API keys and service accounts that reach OpenAI without the gateway, "
                    + "and needs an admin key the gateway does not hold. Manage projects in OpenAI's dashboard or with an "
                    + "admin key sent to OpenAI directly; gateway keys are managed at /api/admin/keys."));

    private RefusedPaths() {}

    /** The refusal for {@code path} (with {@code /v1}, as it goes upstream), or empty when it may be forwarded. */
    static Optional<GatewayException> refusal(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        for (Refused refused : REFUSED) {
            if (refused.path().matcher(lower).matches()) {
                return Optional.of(new GatewayException(403, "permission_error", refused.code(), null, refused.message()));
            }
        }
        return Optional.empty();
    }
}
