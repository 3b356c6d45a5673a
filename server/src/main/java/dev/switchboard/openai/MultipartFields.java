package dev.switchboard.openai;

import dev.switchboard.upstream.StreamedBody;
import dev.switchboard.web.GatewayException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A {@code multipart/form-data} body read as it passes on its way upstream, for its small text fields
 * ({@code model}, {@code purpose}, ids): each complete one is handed to a {@link FieldCheck} before the bytes that
 * complete it go on, so a refused field aborts the upstream request before the body ends. Files pass untouched and
 * unheld; only a text field's value is kept, up to {@link #MAX_FIELD_BYTES}.
 *
 * <p>It fails closed: a form this reader cannot follow (no boundary, a part's headers past 16 KiB, a body that ends
 * before the closing delimiter) is refused, since a field it could not see might be one a key's limits forbid.
 */
final class MultipartFields extends FilterInputStream {
    /** Longer text values are not ids or model names; they pass unchecked ({@code model} excepted: refused). */
    static final int MAX_FIELD_BYTES = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Sees each complete text field; throws the {@link GatewayException} that refuses the request. */
    interface FieldCheck {
        void field(String name, String value);
    }

    private enum State { BODY, AFTER_DELIMITER, HEADERS, END }

    private final byte[] delimiter;
    private final int[] fallback;
    private final FieldCheck check;
    private State state = State.BODY;
    /** Bytes of the delimiter matched so far; the body starts as if after a line end, so "--boundary" opens it. */
    private int matched = 2;
    private boolean preamble = true;
    private final ByteArrayOutputStream headers = new ByteArrayOutputStream();
    private final ByteArrayOutputStream value = new ByteArrayOutputStream();
    private boolean valueOverflow;
    private String fieldName;
    private int afterDelimiter;

    private MultipartFields(InputStream in, String boundary, FieldCheck check) {
        super(in);
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.fallback = failureFunction(delimiter);
        this.check = check;
    }

    /** Whether {@code contentType} is a multipart form, the one kind of body besides JSON the gateway forwards. */
    static boolean isForm(String contentType) {
        return contentType != null && contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT).equals("multipart/form-data");
    }

    /** {@code body} read through the checks, when {@code contentType} is a multipart form; else {@code body} itself. */
    static InputStream wrap(InputStream body, String contentType, FieldCheck check) {
        if (!isForm(contentType)) return body;
        String boundary = boundary(contentType);
        if (boundary == null) throw malformed("its Content-Type has no boundary");
        return new MultipartFields(body, boundary, check);
    }

    static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
                return b.isEmpty() || b.length() > 200 ? null : b;
            }
        }
        return null;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int size) throws IOException {
        int n = super.read(target, offset, size);
        if (n < 0) {
            if (state != State.END) throw new StreamedBody.Refused(malformed("it ends before its closing boundary"));
            return n;
        }
        try {
            for (int i = offset; i < offset + n; i++) step(target[i]);
        } catch (GatewayException refused) {
            throw new StreamedBody.Refused(refused);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] sink = new byte[(int) Math.min(8192, Math.max(0, n))];
        int read = read(sink, 0, sink.length);
        return Math.max(read, 0);
    }

    private void step(byte b) {
        switch (state) {
            case BODY -> body(b);
            case AFTER_DELIMITER -> afterDelimiter(b);
            case HEADERS -> header(b);
            case END -> { /* the epilogue is ignored, as RFC 2046 says */ }
        }
    }

    private void body(byte b) {
        if (fieldName != null && !valueOverflow) {
            value.write(b);
            if (value.size() > MAX_FIELD_BYTES + delimiter.length) valueOverflow = true;
        }
        while (matched > 0 && delimiter[matched] != b) matched = fallback[matched - 1];
        if (delimiter[matched] == b) matched++;
        if (matched < delimiter.length) return;
        matched = 0;
        if (!preamble) partEnded();
        preamble = false;
        state = State.AFTER_DELIMITER;
        afterDelimiter = 0;
        closing = false;
        sawCr = false;
    }

    private void partEnded() {
        if (fieldName == null) return;
        String name = fieldName;
        fieldName = null;
        if (valueOverflow) {
            if (name.equals("model")) throw new GatewayException(400, "invalid_request_error", "invalid_value", "model",
                    "The form field 'model' is longer than any model name.");
            // Its start is still checked: a field that names objects is then refused as no id is this long.
            check.field(name, new String(value.toByteArray(), 0, MAX_FIELD_BYTES, StandardCharsets.UTF_8));
            return;
        }
        byte[] bytes = value.toByteArray();
        check.field(name, new String(bytes, 0, bytes.length - delimiter.length, StandardCharsets.UTF_8));
    }

    /** "--" closes the form; otherwise optional spaces, then CRLF, then the next part's headers. */
    private void afterDelimiter(byte b) {
        afterDelimiter++;
        if (afterDelimiter == 1 && b == '-') {
            closing = true;
            return;
        }
        if (closing) {
            if (b != '-') throw malformed("a boundary is followed by something else than a line end");
            state = State.END;
            return;
        }
        if ((b == ' ' || b == '\t') && !sawCr) return;
        if (b == '\r' && !sawCr) {
            sawCr = true;
            return;
        }
        if (b == '\n' && sawCr) {
            sawCr = false;
            state = State.HEADERS;
            headers.reset();
            lastFour = 0;
            return;
        }
        throw malformed("a boundary is followed by something else than a line end");
    }

    private boolean closing;
    private boolean sawCr;
    /** The last four header bytes, to find the blank line that ends a part's headers without rescanning them. */
    private int lastFour;
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int CRLFCRLF = (CRLF << 16) | CRLF;

    private void header(byte b) {
        headers.write(b);
        if (headers.size() > MAX_HEADER_BYTES) throw malformed("a part's headers are longer than 16 KiB");
        lastFour = (lastFour << 8) | (b & 0xff);
        boolean emptyHeaders = headers.size() == 2 && (lastFour & 0xffff) == CRLF;
        if (!emptyHeaders && (headers.size() < 4 || lastFour != CRLFCRLF)) return;
        fieldName = textFieldName(headers.toString(StandardCharsets.UTF_8));
        value.reset();
        valueOverflow = false;
        // The delimiter that ends this part starts with the line end before it.
        matched = 0;
        state = State.BODY;
    }

    /**
     * The part's field name when it is a text field (no filename); null for a file or a part without a name. A part
     * whose name could be read two ways is refused: two {@code Content-Disposition} headers, a parameter given twice,
     * or {@code name*} (RFC 2231), since a parser upstream that read the other name would take a field this one never
     * checked.
     */
    static String textFieldName(String headerBlock) {
        String name = null;
        boolean file = false;
        boolean disposition = false;
        for (String line : headerBlock.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) continue;
            if (disposition) throw malformed("a part has two Content-Disposition headers");
            disposition = true;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String param : params(line.substring(colon + 1))) {
                int eq = param.indexOf('=');
                String key = (eq < 0 ? param : param.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                String val = eq < 0 ? "" : unquote(param.substring(eq + 1).strip());
                if (!key.isEmpty() && !seen.add(key)) throw malformed("a part gives its '" + key + "' twice");
                if (key.equals("name*")) throw malformed("a part's name is given as name*, which the gateway does not read");
                if (key.equals("name")) name = val;
                if (key.equals("filename") || key.equals("filename*")) file = true;
            }
        }
        return file ? null : name;
    }

    /** Splits on semicolons outside quotes. */
    private static java.util.List<String> params(String value) {
        java.util.List<String> params = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) quoted = !quoted;
            if (c == ';' && !quoted) {
                params.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        params.add(current.toString());
        return params;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return s;
    }

    private static int[] failureFunction(byte[] pattern) {
        int[] f = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) k = f[k - 1];
            if (pattern[i] == pattern[k]) k++;
            f[i] = k;
        }
        return f;
    }

    private static GatewayException malformed(String why) {
        return new GatewayException(400, "invalid_request_error", "invalid_multipart", null,
                "The multipart form could not be read: " + why + ". The gateway checks a form's fields as it passes, "
                        + "so it forwards only forms it can read.");
    }
}
