package dev.switchboard.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The STUN and TURN servers WebRTC clients are given ({@code OPENAI_REALTIME_TURN_SERVERS}), in the shape of
 * {@code RTCIceServer}: a JSON array of {@code {"urls", "username", "credential"}} objects, or comma-separated URLs.
 * Checked at start-up, because a browser rejects the whole {@code RTCPeerConnection} for one bad entry.
 */
public final class IceServers {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> SCHEMES = List.of("stun", "stuns", "turn", "turns");

    private IceServers() {}

    /** The servers as a JSON array of RTCIceServer objects; an empty array when none are configured. */
    public static ArrayNode parse(String configured) {
        ArrayNode servers = MAPPER.createArrayNode();
        if (configured == null || configured.isBlank()) return servers;
        String text = configured.trim();
        if (text.startsWith("[")) {
            JsonNode array;
            try {
                array = MAPPER.readTree(text);
            } catch (Exception e) {
                throw new IllegalArgumentException("it starts with '[' but is not a JSON array");
            }
            int index = 0;
            for (JsonNode server : array) servers.add(server(server, index++));
        } else {
            for (String url : text.split(",")) {
                if (url.isBlank()) continue;
                servers.add(MAPPER.createObjectNode().set("urls", MAPPER.createArrayNode().add(url(url.trim(), "a URL"))));
            }
        }
        return servers;
    }

    private static ObjectNode server(JsonNode server, int index) {
        String where = "entry " + index;
        if (!server.isObject()) throw new IllegalArgumentException(where + " is not an object");
        JsonNode urls = server.path("urls");
        List<String> list = new ArrayList<>();
        if (urls.isTextual()) list.add(urls.asText());
        else if (urls.isArray() && !urls.isEmpty()) urls.forEach(u -> list.add(u.asText()));
        else throw new IllegalArgumentException(where + " needs \"urls\": a URL or a non-empty array of URLs");
        ObjectNode normalized = MAPPER.createObjectNode();
        ArrayNode checked = normalized.putArray("urls");
        boolean turn = false;
        for (String url : list) {
            checked.add(url(url, where + "'s URL"));
            turn |= url.toLowerCase(Locale.ROOT).startsWith("turn");
        }
        boolean hasUser = server.hasNonNull("username");
        boolean hasCredential = server.hasNonNull("credential");
        if (turn && (!hasUser || !hasCredential)) {
            throw new IllegalArgumentException(where + " is a TURN server and needs both \"username\" and \"credential\"");
        }
        if (hasUser) normalized.put("username", server.path("username").asText());
        if (hasCredential) normalized.put("credential", server.path("credential").asText());
        return normalized;
    }

    private static String url(String url, String what) {
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme) || url.length() == colon + 1) {
            throw new IllegalArgumentException(what + " '" + url + "' is not a stun:, stuns:, turn: or turns: URL");
        }
        try {
            URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + url + "' is not a valid URL");
        }
        return url;
    }
}
