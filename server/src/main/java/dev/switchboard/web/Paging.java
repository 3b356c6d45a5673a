package dev.switchboard.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.function.Function;

/**
 * Lists that page: {@code ?limit=} (bounded) and {@code ?before=} (the {@code next_before} of the previous page,
 * newest first). A page is read with one row more than it shows, to know whether there is more.
 */
public final class Paging {
    private Paging() {}

    /** {@code ?limit=}, from 1 to {@code max}; {@code fallback} when absent. */
    public static int limit(Context ctx, int fallback, int max) {
        String value = ctx.queryParam("limit");
        if (value == null) return fallback;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw GatewayException.invalidParam("limit", "'limit' must be a whole number from 1 to " + max + ".");
    }

    /**
     * A list body: {@code data} (at most {@code limit} of {@code rows}, which were read with {@code limit + 1}),
     * {@code has_more}, and {@code next_before} taken from the last row shown by {@code cursor}.
     */
    public static <T> ObjectNode page(List<T> rows, int limit, Function<T, ObjectNode> describe, Function<T, Object> cursor) {
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        List<T> shown = rows.subList(0, Math.min(limit, rows.size()));
        shown.forEach(row -> data.add(describe.apply(row)));
        body.put("has_more", rows.size() > limit);
        if (rows.size() > limit && !shown.isEmpty()) body.set("next_before", Json.MAPPER.valueToTree(cursor.apply(shown.getLast())));
        else body.putNull("next_before");
        return body;
    }
}
