package dev.switchboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Reads request bodies with the configured size limit and the content-type and JSON checks every route needs. */
public final class RequestBodies {
    /** The parsed body, kept for the request: a body can be read once, and a guard may read it before the handler. */
    private static final String PARSED = "switchboard.json-body";
    /** Set once the kept body's stricter check (no NUL anywhere) has passed. */
    private static final String CHECKED_AS_KEPT = "switchboard.json-body.kept";
    private final long maxBytes;

    public RequestBodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The body as a JSON object; 415 for another content type, 413 past the limit, 400 when not a JSON object or
     * when its text breaks {@link BodyText}'s rules for a body the gateway keeps (no NUL anywhere).
     */
    public JsonRequest json(Context ctx) {
        return read(ctx, true);
    }

    /**
     * Like {@link #json}, for a body relayed to OpenAI as sent and not kept: its identifiers are checked, but its
     * free text may hold any character OpenAI accepts.
     */
    public JsonRequest relayed(Context ctx) {
        return read(ctx, false);
    }

    /**
     * The body, parsed once per request and kept (a guard may read it before its handler does), and walked by
     * {@link BodyText} once for the strictest check asked for so far.
     */
    private JsonRequest read(Context ctx, boolean kept) {
        JsonRequest parsed = ctx.attribute(PARSED);
        if (parsed == null) {
            requireJsonContentType(ctx);
            parsed = parse(bytes(ctx), kept);
            ctx.attribute(PARSED, parsed);
            if (kept) ctx.attribute(CHECKED_AS_KEPT, Boolean.TRUE);
        } else if (kept && ctx.attribute(CHECKED_AS_KEPT) == null) {
            BodyText.check(parsed.json(), true);
            ctx.attribute(CHECKED_AS_KEPT, Boolean.TRUE);
        }
        return parsed;
    }

    /** The largest body a request may carry ({@code SWITCHBOARD_MAX_BODY_BYTES}). */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * A JSON object the gateway relays to OpenAI without a request of its own carrying it (a line of a batch's input
     * file), checked as {@link #relayed} checks a body: 400 when it is not a JSON object or its identifiers hold
     * control characters.
     */
    public static JsonRequest parseRelayed(byte[] raw) {
        return parse(raw, false);
    }

    /** Like {@link #json}, for routes whose body may be left out: empty when it is. */
    public java.util.Optional<JsonRequest> optionalJson(Context ctx) {
        requireJsonContentType(ctx);
        byte[] raw = bytes(ctx);
        return raw.length == 0 ? java.util.Optional.empty() : java.util.Optional.of(parse(raw, true));
    }

    /**
     * Request bodies refuse a key given twice in one object: the gateway judges the body it parsed (the last value,
     * as Jackson keeps it) but forwards the bytes, and a parser upstream that kept the first value would act on an
     * id the gateway never judged ({@code "previous_response_id"} twice: another owner's, then one's own).
     */
    private static final com.fasterxml.jackson.databind.ObjectReader REQUEST_READER =
            Json.MAPPER.reader().with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private static JsonRequest parse(byte[] raw, boolean kept) {
        JsonNode node;
        try {
            node = REQUEST_READER.readTree(raw);
        } catch (IOException e) {
            throw GatewayException.invalidJson(firstLine(e.getMessage()));
        }
        if (node == null || node.isMissingNode()) throw GatewayException.invalidJson("the body is empty");
        if (!node.isObject()) throw GatewayException.invalidJson("expected an object, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
        BodyText.check(node, kept);
        return new JsonRequest(raw, (ObjectNode) node);
    }

    /** Bodies up to this much over the limit are read and dropped before the 413 is sent; larger ones are not. */
    private static final long DRAIN_LIMIT = 1024 * 1024;

    /**
     * Reads and drops a refused body that is only a little too large. Closing a connection with unread bytes in
     * it makes the kernel reset it, and a client still sending then loses the 413 explaining why.
     */
    private void drainSmallExcess(Context ctx, long declared) {
        if (declared > maxBytes + DRAIN_LIMIT) return;
        try (InputStream in = ctx.bodyInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // The client went away; the 413 is sent if the connection still stands.
        }
    }

    /** The body as bytes, refused with 413 past the limit (checked on Content-Length before reading). */
    public byte[] bytes(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            drainSmallExcess(ctx, declared);
            throw GatewayException.tooLarge(maxBytes);
        }
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) throw GatewayException.tooLarge(maxBytes);
            return body;
        } catch (IOException e) {
            throw GatewayException.invalidJson("the body could not be read: " + e.getMessage());
        }
    }

    private static void requireJsonContentType(Context ctx) {
        String contentType = ctx.header("Content-Type");
        if (!isJson(contentType)) throw GatewayException.unsupportedMediaType(mediaType(contentType));
    }

    /** Whether the request carries a body: a length above zero, or chunked. */
    public static boolean hasBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        return length > 0 || (length < 0 && ctx.header("Transfer-Encoding") != null);
    }

    /** JSON ({@code application/json}, {@code …+json}), or no type at all, which every JSON route reads as JSON. */
    public static boolean isJson(String contentType) {
        if (contentType == null || contentType.isBlank()) return true;
        String mediaType = mediaType(contentType);
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    private static String mediaType(String contentType) {
        return contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The parser's first line, without the name of the parser's own setting it may quote (Jackson's limits say
     * "from `StreamReadConstraints.getMaxNestingDepth()`"): no Java names in a response.
     */
    private static String firstLine(String message) {
        if (message == null) return "unreadable";
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.replaceAll(", from `[^`]*`", "");
    }
}
