package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * OpenAI's cursor-paged list, {@code {"object":"list","data":[...],"first_id","last_id","has_more"}}, by the
 * request's {@code order} ({@code desc} unless asked otherwise), {@code after} (an id) and {@code limit}.
 */
public final class ListPage {
    private ListPage() {}

    /**
     * A page of {@code oldestFirst} (objects with an {@code id}); null after answering 400 when {@code limit} is
     * out of {@code 1..maxLimit} or {@code order} is neither asc nor desc.
     */
    public static ObjectNode of(Context ctx, List<ObjectNode> oldestFirst, int defaultLimit, int maxLimit) {
        return of(ctx, oldestFirst, defaultLimit, maxLimit, Order.DESC);
    }

    /** The order a list is in when the request names none: most are newest first, a few (stored chat completions) not. */
    public enum Order { ASC, DESC }

    /** As {@link #of(Context, List, int, int)}, in {@code unlessAsked} order when the request names none. */
    public static ObjectNode of(Context ctx, List<ObjectNode> oldestFirst, int defaultLimit, int maxLimit, Order unlessAsked) {
        String order = ctx.queryParam("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value for 'order': expected 'asc' or 'desc'.", "order");
            return null;
        }
        String rawLimit = ctx.queryParam("limit");
        int limit;
        try {
            limit = rawLimit == null ? defaultLimit : Integer.parseInt(rawLimit);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > maxLimit) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "integer_out_of_range",
                    "Invalid 'limit': expected an integer between 1 and " + maxLimit + ".", "limit");
            return null;
        }
        List<ObjectNode> items = new ArrayList<>(oldestFirst);
        boolean ascending = order == null ? unlessAsked == Order.ASC : order.equals("asc");
        if (!ascending) Collections.reverse(items);
        String after = ctx.queryParam("after");
        if (after != null) {
            int at = -1;
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).path("id").asText().equals(after)) at = i;
            }
            items = at < 0 ? List.of() : items.subList(at + 1, items.size());
        }
        boolean hasMore = items.size() > limit;
        ArrayNode data = Json.arr();
        items.stream().limit(limit).forEach(data::add);
        return page(data, hasMore);
    }

    /** The list envelope around {@code data}. */
    public static ObjectNode page(ArrayNode data, boolean hasMore) {
        return Json.obj("object", "list", "data", data,
                "first_id", data.isEmpty() ? null : data.get(0).path("id").asText(),
                "last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asText(),
                "has_more", hasMore);
    }
}
