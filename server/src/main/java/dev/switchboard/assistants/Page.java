package dev.switchboard.assistants;

import dev.switchboard.web.GatewayException;
import io.javalin.http.Context;

/**
 * A list request's paging, as the Assistants API defines it: {@code limit} (1 to 100, default 20), {@code order}
 * ({@code desc} by default, by creation), and the cursors {@code after} and {@code before} (object ids).
 */
record Page(int limit, boolean ascending, String after, String before) {

    static Page of(Context ctx) {
        int limit = 20;
        String rawLimit = ctx.queryParam("limit");
        if (rawLimit != null) {
            try {
                limit = Integer.parseInt(rawLimit);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 100) throw GatewayException.invalidParam("limit", "'limit' must be a whole number from 1 to 100.");
        }
        String order = ctx.queryParam("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw GatewayException.invalidParam("order", "'order' must be 'asc' or 'desc'.");
        }
        return new Page(limit, "asc".equals(order), blankToNull(ctx.queryParam("after")), blankToNull(ctx.queryParam("before")));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
