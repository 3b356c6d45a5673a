package dev.switchboard.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body read part by part as it arrives, each part's content a stream: files of
 * gigabytes go through with a fixed buffer ({@link MultipartForm} holds a whole body, for small forms).
 *
 * <p>Use: {@code for (Part part; (part = form.next()) != null; ) { ... part.content() ... }}; a part's content is
 * skipped when the next part is asked for before it is read.
 */
public final class MultipartStream {
    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern NAME = Pattern.compile("(?i)[;\\s]name=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("(?i)filename=\"([^\"]*)\"");
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Malformed multipart: answered with 400. */
    public static final class MalformedException extends IOException {
        MalformedException(String message) {
            super(message);
        }
    }

    /** A part: its form field name, the file name a file part carries (else null), and its content type. */
    public record Part(String name, String filename, String contentType, InputStream content) {
        /** The content as text, refused with {@link MalformedException} above {@code maxBytes}. */
        public String text(int maxBytes) throws IOException {
            byte[] bytes = content.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) throw new MalformedException("The form field '" + name + "' is too long.");
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[256 * 1024];
    private int start;
    private int end;
    /** No delimiter starts before this index of the buffer: a part read in small pieces is not searched again. */
    private int clearBefore;
    private boolean eof;
    private PartContent current;
    private boolean finished;

    private MultipartStream(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The body starts with the boundary itself; a CRLF before it makes every boundary look the same.
        buffer[0] = '\r';
        buffer[1] = '\n';
        end = 2;
    }

    /** The form of a request with this content type, or null when it is not multipart with a boundary. */
    public static MultipartStream of(String contentType, InputStream body) {
        if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) return null;
        Matcher boundary = BOUNDARY.matcher(contentType);
        if (!boundary.find() || boundary.group(1).length() > 200) return null;
        return new MultipartStream(body, boundary.group(1));
    }

    /** The next part, or null after the last. */
    public Part next() throws IOException {
        if (finished) return null;
        if (current == null) {
            new PartContent().transferTo(java.io.OutputStream.nullOutputStream()); // the preamble
        } else {
            current.transferTo(java.io.OutputStream.nullOutputStream());
        }
        // After a boundary: "--" ends the form, CRLF starts a part.
        if (!ensure(2)) throw new MalformedException("The multipart body ends without its closing boundary.");
        if (buffer[start] == '-' && buffer[start + 1] == '-') {
            finished = true;
            return null;
        }
        skipLine();
        String headers = readHeaders();
        String disposition = header(headers, "content-disposition");
        Matcher name = NAME.matcher(disposition == null ? "" : ";" + disposition);
        if (!name.find()) throw new MalformedException("A multipart part has no form field name.");
        Matcher filename = FILENAME.matcher(disposition);
        current = new PartContent();
        return new Part(name.group(1), filename.find() ? filename.group(1) : null, header(headers, "content-type"), current);
    }

    private static String header(String headers, String name) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) return line.substring(colon + 1).trim();
        }
        return null;
    }

    private void skipLine() throws IOException {
        while (true) {
            int at = indexOf(new byte[] {'\r', '\n'}, start, end);
            if (at >= 0) {
                start = at + 2;
                return;
            }
            if (end - start > MAX_HEADER_BYTES) throw new MalformedException("A multipart boundary line is too long.");
            if (!fill()) throw new MalformedException("The multipart body ends inside a boundary line.");
        }
    }

    private String readHeaders() throws IOException {
        byte[] blank = {'\r', '\n', '\r', '\n'};
        while (true) {
            if (end - start >= 2 && buffer[start] == '\r' && buffer[start + 1] == '\n') { // no headers at all
                start += 2;
                return "";
            }
            int at = indexOf(blank, start, end);
            if (at >= 0) {
                String headers = new String(buffer, start, at - start, StandardCharsets.UTF_8);
                start = at + 4;
                return headers;
            }
            if (end - start > MAX_HEADER_BYTES) throw new MalformedException("A multipart part's headers are too long.");
            if (!fill()) throw new MalformedException("The multipart body ends inside a part's headers.");
        }
    }

    /** At least {@code n} unread bytes in the buffer, unless the body ends first. */
    private boolean ensure(int n) throws IOException {
        while (end - start < n) {
            if (!fill()) return false;
        }
        return true;
    }

    /** Reads more of the body into the buffer; false at its end. */
    private boolean fill() throws IOException {
        if (eof) return false;
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            clearBefore = Math.max(0, clearBefore - start);
            start = 0;
        }
        int read = in.read(buffer, end, buffer.length - end);
        if (read < 0) {
            eof = true;
            return false;
        }
        end += read;
        return true;
    }

    private int indexOf(byte[] needle, int from, int to) {
        byte first = needle[0];
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            if (buffer[i] != first) continue;
            for (int j = 1; j < needle.length; j++) {
                if (buffer[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** One part's content: the bytes up to the next boundary. */
    private final class PartContent extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (done) return -1;
            if (length == 0) return 0;
            while (true) {
                int at = indexOf(delimiter, Math.max(start, clearBefore), end);
                clearBefore = at >= 0 ? at : Math.max(start, end - (delimiter.length - 1));
                int available = at >= 0 ? at - start : end - start - (delimiter.length - 1);
                if (at == start) {
                    start += delimiter.length;
                    done = true;
                    return -1;
                }
                if (available > 0) {
                    int n = Math.min(length, available);
                    System.arraycopy(buffer, start, target, offset, n);
                    start += n;
                    return n;
                }
                if (!fill()) throw new MalformedException("The multipart body ends inside a part.");
            }
        }
    }
}
