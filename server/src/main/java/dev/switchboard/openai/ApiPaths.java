package dev.switchboard.openai;

import dev.switchboard.web.GatewayException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Paths under {@code /v1} on their way upstream: which are the gateway's own, which characters a forwarded path may
 * hold, and the name a path is counted under.
 *
 * <p>A forwarded path is the client's path as the server decoded and normalised it (no {@code ..}, no escapes left),
 * checked segment by segment against the characters OpenAI's paths and ids use and sent upstream as those same
 * characters. So what the refusals and ownership see is exactly what upstream gets, and nothing a client sends can
 * leave {@code /v1} upstream or smuggle a line break or a query into the request line.
 */
final class ApiPaths {
    /** Letters, digits and the unreserved and sub-delimiter characters that ids and model names use; no ';' or '%'. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~:@!$'()*+,=-]{1,512}");
    /** A query string as the client sent it (still escaped): URI characters only, so it cannot break the request line. */
    private static final Pattern QUERY = Pattern.compile("[A-Za-z0-9._~:@!$'()*+,;=/?&%\\[\\]-]*");
    /** A word of OpenAI's path vocabulary ("files", "input_items"); anything else in a path is an id. */
    private static final Pattern WORD = Pattern.compile("[a-z][a-z_]{0,39}");
    private static final int MAX_ENDPOINT_NAMES = 500;
    private static final String OTHER = "/v1/{other}";

    /**
     * The gateway's own families under {@code /v1}, implemented by it (Assistants) or served only as a WebSocket
     * (the Realtime relay): a path in one that no route of the gateway answers is unknown here, never forwarded.
     */
    private static final List<String> OWN = List.of("/v1/assistants", "/v1/threads", "/v1/streams");
    private static final String REALTIME_SOCKET = "/v1/realtime";

    /** The names given so far: bounded, so that paths made up by clients cannot grow the metrics without end. */
    private static final Set<String> NAMES = ConcurrentHashMap.newKeySet();

    private ApiPaths() {}

    static boolean isOwn(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.equals(REALTIME_SOCKET) || lower.equals(REALTIME_SOCKET + "/")) return true;
        return OWN.stream().anyMatch(own -> lower.equals(own) || lower.startsWith(own + "/"));
    }

    /**
     * The path below the upstream base URL ({@code /files/file-abc/content}) for {@code rawPath}, the client's path
     * with {@code /v1} as sent (still percent-encoded); 400 when it holds anything but id characters.
     *
     * <p>An escape is decoded only when it stands for a character that must be escaped to be data (the sub-delimiters
     * and {@code :} or {@code @} that ids may hold: {@code ft%3Agpt-4o-mini} is {@code ft:gpt-4o-mini}). An escaped
     * letter, digit, dot, slash or percent is refused: no client needs one, and each would let one path be spelled
     * two ways ({@code /v1/re%73ponses}), one of which no route or refusal of the gateway would recognise.
     */
    static String upstreamPath(String rawPath) {
        if (!rawPath.startsWith("/v1/")) throw invalidPath();
        String[] segments = rawPath.substring(4).split("/", -1);
        if (segments.length > 32) throw invalidPath();
        StringBuilder path = new StringBuilder(rawPath.length());
        for (int i = 0; i < segments.length; i++) {
            String segment = decode(segments[i]);
            // A trailing slash is kept as sent; any other empty segment, and dot segments, are refused.
            boolean trailingSlash = segment.isEmpty() && i == segments.length - 1 && i > 0;
            if (!trailingSlash && (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals(".."))) {
                throw invalidPath();
            }
            path.append('/').append(segment);
        }
        return path.toString();
    }

    /** Characters that ids may hold and clients may send escaped. */
    private static final String DECODABLE = ":@!$'()*+,=";

    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) return segment;
        StringBuilder decoded = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                decoded.append(c);
                continue;
            }
            if (i + 2 >= segment.length()) throw invalidPath();
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) throw invalidPath();
            int value = high * 16 + low;
            if (DECODABLE.indexOf(value) < 0) throw invalidPath();
            decoded.append((char) value);
            i += 2;
        }
        return decoded.toString();
    }

    /** The client's raw query string when it is safe to put in a request line; else 400. Null or empty: none. */
    static String query(String query) {
        if (query == null || query.isEmpty()) return null;
        if (!QUERY.matcher(query).matches()) {
            throw new GatewayException(400, "invalid_request_error", "invalid_query", null,
                    "The query string holds characters that must be percent-encoded.");
        }
        return query;
    }

    /**
     * The name a forwarded path is counted under in the request log and the metrics: ids replaced by {@code {id}}
     * ({@code /v1/files/{id}/content}). A segment of lower-case letters and underscores is part of the API's
     * vocabulary; anything else (digits, dashes, dots, colons, capitals) is an id. At most
     * {@value #MAX_ENDPOINT_NAMES} names are given; later new ones count as {@code /v1/{other}}.
     */
    static String endpointName(String path) {
        StringBuilder name = new StringBuilder("/v1");
        String[] segments = path.substring(Math.min(path.length(), 4)).split("/");
        for (String segment : segments) {
            if (segment.isEmpty()) continue;
            name.append('/').append(WORD.matcher(segment).matches() ? segment : "{id}");
        }
        String named = name.toString();
        if (NAMES.contains(named)) return named;
        if (NAMES.size() >= MAX_ENDPOINT_NAMES) return OTHER;
        NAMES.add(named);
        return named;
    }

    private static GatewayException invalidPath() {
        return new GatewayException(400, "invalid_request_error", "invalid_path", null,
                "The path holds characters or segments that no OpenAI path has: use letters, digits and . _ ~ : @ ! $ "
                        + "' ( ) * + , = - between single slashes, under /v1/.");
    }
}
