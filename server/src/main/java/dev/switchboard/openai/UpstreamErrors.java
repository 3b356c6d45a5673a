package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.Secret;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Upstream error bodies on their way to the client: passed through as they are, except that any API key in them
 * is blanked (OpenAI's 401 quotes part of the refused key) and a body that is not OpenAI-shaped JSON (a proxy's
 * HTML page) is replaced by one that is.
 */
final class UpstreamErrors {
    private static final Pattern KEY_LIKE = Pattern.compile("sk-[A-Za-z0-9_\\-*]{6,}");

    private UpstreamErrors() {}

    /** The error code in an OpenAI error body, or its type, for the request log. */
    static String code(byte[] body) {
        try {
            var error = Json.MAPPER.readTree(body).path("error");
            return error.hasNonNull("code") ? error.get("code").asText() : error.path("type").asText(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static byte[] forClient(int status, byte[] body, String contentType, Secret upstreamKey) {
        String text = new String(body, StandardCharsets.UTF_8);
        boolean json = contentType != null && contentType.toLowerCase().contains("json") && text.contains("\"error\"");
        if (!json) {
            return Json.write(Json.error("The upstream answered HTTP " + status + " with a body that is not an OpenAI "
                    + "error. Check OPENAI_BASE_URL points at an OpenAI-compatible API.", "upstream_error", null,
                    "upstream_http_" + status)).getBytes(StandardCharsets.UTF_8);
        }
        String redacted = text.replace(upstreamKey.reveal(), "sk-***");
        redacted = KEY_LIKE.matcher(redacted).replaceAll("sk-***");
        return redacted.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An upstream error answer as a refusal the gateway throws (a page of a filtered list, a batch's input file): the
     * client gets OpenAI's error as {@link #forClient} passes it, with {@code param} when given in place of OpenAI's.
     */
    static GatewayException asException(int status, byte[] body, String contentType, Secret upstreamKey, String param) {
        JsonNode error;
        try {
            error = Json.MAPPER.readTree(forClient(status, body, contentType, upstreamKey)).path("error");
        } catch (java.io.IOException unreadable) {
            error = Json.object();
        }
        return new GatewayException(status, error.path("type").asText("upstream_error"), error.path("code").asText(null),
                param != null ? param : error.path("param").asText(null),
                error.path("message").asText("The upstream answered HTTP " + status + "."));
    }
}
