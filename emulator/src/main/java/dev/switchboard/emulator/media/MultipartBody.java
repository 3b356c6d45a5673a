package dev.switchboard.emulator.media;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body with its file parts kept as bytes (audio, images), read from the body the
 * request log already took. Fields repeat as OpenAI's form fields do ({@code image[]}, {@code include[]}).
 */
public final class MultipartBody {
    /** One part: its field name, its file name when it is a file, its content type, and its bytes. */
    public record Part(String name, String filename, String contentType, byte[] bytes) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** A file part: one with a file name, or with a content type other than text (clients may leave the name out). */
        public boolean isFile() {
            return filename != null || contentType != null && !contentType.toLowerCase().startsWith("text/");
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern NAME = Pattern.compile("(?i)\\bname=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("(?i)\\bfilename=\"([^\"]*)\"");
    private static final Pattern TYPE = Pattern.compile("(?im)^content-type:\\s*([^\\r\\n]+)");

    private final List<Part> parts;

    private MultipartBody(List<Part> parts) {
        this.parts = parts;
    }

    /** The body's parts, or empty when the content type is not multipart with a boundary. */
    public static Optional<MultipartBody> parse(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) return Optional.empty();
        Matcher boundary = BOUNDARY.matcher(contentType);
        if (!boundary.find()) return Optional.empty();
        byte[] delimiter = ("--" + boundary.group(1)).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') break;
            int next = indexOf(body, delimiter, start);
            if (next < 0) break;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            if (headersEnd > 0 && headersEnd < next) {
                String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
                int end = next;
                if (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n') end -= 2;
                Matcher name = NAME.matcher(headers);
                if (name.find()) {
                    Matcher filename = FILENAME.matcher(headers);
                    Matcher type = TYPE.matcher(headers);
                    parts.add(new Part(name.group(1), filename.find() ? filename.group(1) : null,
                            type.find() ? type.group(1).trim() : null, Arrays.copyOfRange(body, headersEnd + 4, Math.max(headersEnd + 4, end))));
                }
            }
            at = next;
        }
        return Optional.of(new MultipartBody(parts));
    }

    /** The first part with this name (or this name and {@code []}). */
    public Optional<Part> part(String name) {
        return parts.stream().filter(p -> p.name().equals(name) || p.name().equals(name + "[]")).findFirst();
    }

    /** Every part with this name (or this name and {@code []}), in order. */
    public List<Part> all(String name) {
        return parts.stream().filter(p -> p.name().equals(name) || p.name().equals(name + "[]")).toList();
    }

    /** A text field's value. */
    public Optional<String> field(String name) {
        return part(name).filter(p -> !p.isFile()).map(Part::text);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
