package dev.switchboard.emulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text parts of a {@code multipart/form-data} body, by name. Read from the body the request log already took,
 * so that the log keeps what a client sent (a relay's session configuration, for instance).
 */
public final class MultipartForm {
    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern NAME = Pattern.compile("name=\"([^\"]*)\"");

    private MultipartForm() {}

    /** The parts, or null when the content type names no boundary. */
    public static Map<String, String> parse(String contentType, byte[] body) {
        Matcher boundary = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (!boundary.find()) return null;
        String delimiter = "--" + boundary.group(1);
        String text = new String(body, StandardCharsets.UTF_8);
        Map<String, String> parts = new LinkedHashMap<>();
        for (String section : text.split(Pattern.quote(delimiter))) {
            int headersEnd = section.indexOf("\r\n\r\n");
            if (headersEnd < 0) continue;
            Matcher name = NAME.matcher(section.substring(0, headersEnd));
            if (!name.find()) continue;
            String value = section.substring(headersEnd + 4);
            if (value.endsWith("\r\n")) value = value.substring(0, value.length() - 2);
            parts.put(name.group(1), value);
        }
        return parts;
    }
}
