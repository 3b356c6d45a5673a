package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A list of one kind (files, batches, vector stores, …) answered with the caller's owner's objects only. Upstream's
 * pages are read in the client's direction, 100 items at a time (files: 10,000, their list's own limit and default),
 * and kept to the owner's items until the client's
 * {@code limit} is filled with one to spare (which is how {@code has_more} is known exactly) or upstream has no more.
 * Upstream stays the truth: an object deleted there is gone from the list, whatever the gateway recorded.
 *
 * <p>Cursors are OpenAI's: {@code after=X} is the items following X in the list's order, {@code before=X} the items
 * preceding X nearest to it (both shown in the list's order). Other query parameters ({@code purpose},
 * {@code order}, filters) go upstream unchanged.
 *
 * <p>At most {@value #MAX_UPSTREAM_PAGES} upstream pages are read for one client page (so an owner with few objects
 * among very many of others' costs a bounded wait). When that cap cuts a page short, it is answered with what was
 * found and {@code has_more: true}; with nothing found, {@code first_id}/{@code last_id} are where the reading
 * stopped, so that {@code after=last_id} (or {@code before=first_id}) reads on from there rather than again.
 */
final class FilteredListing implements OwnedListing {
    /** Most lists: {@code limit} 1 to 100, 20 by default, as OpenAI's. */
    static final int MAX_LIMIT = 100;
    static final int DEFAULT_LIMIT = 20;
    static final int UPSTREAM_PAGE = 100;
    /** Files list up to 10,000 a page, and all of them by default, as OpenAI's {@code GET /v1/files}. */
    static final int FILES_LIMIT = 10_000;
    static final int MAX_UPSTREAM_PAGES = 20;
    private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");
    private static final Set<String> PAGING = Set.of("limit", "after", "before", "order");

    private final ApiKind kind;
    private final OwnedObjects objects;

    private final int defaultLimit;
    private final int maxLimit;
    private final int upstreamPageSize;

    FilteredListing(ApiKind kind, OwnedObjects objects) {
        this.kind = kind;
        this.objects = objects;
        boolean files = kind == ApiKinds.FILE;
        this.defaultLimit = files ? FILES_LIMIT : DEFAULT_LIMIT;
        this.maxLimit = files ? FILES_LIMIT : MAX_LIMIT;
        this.upstreamPageSize = files ? FILES_LIMIT : UPSTREAM_PAGE;
    }

    ApiKind kind() {
        return kind;
    }

    @Override
    public JsonNode page(String owner, Map<String, String> clientQuery, Function<String, JsonNode> upstreamPage) {
        int limit = limit(clientQuery.get("limit"));
        String after = cursor(clientQuery, "after");
        String before = cursor(clientQuery, "before");
        if (after != null && before != null) {
            throw GatewayException.invalidParam("before", "Give 'after' or 'before', not both.");
        }
        String order = clientQuery.get("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw GatewayException.invalidParam("order", "'order' must be 'asc' or 'desc'.");
        }
        boolean backwards = before != null;
        String cursor = backwards ? before : after;

        List<JsonNode> mine = new ArrayList<>();
        boolean upstreamHasMore = true;
        int pages = 0;
        while (true) {
            JsonNode page = upstreamPage.apply(query(clientQuery, backwards ? "before" : "after", cursor));
            pages++;
            List<JsonNode> items = new ArrayList<>();
            page.path("data").forEach(items::add);
            List<String> ids = items.stream().map(FilteredListing::id).filter(id -> id != null).toList();
            Set<String> owned = objects.ownedAmong(owner, kind.stored(), ids);
            List<JsonNode> ownedItems = items.stream().filter(item -> owned.contains(id(item))).toList();
            if (backwards) mine.addAll(0, ownedItems);
            else mine.addAll(ownedItems);
            upstreamHasMore = !ids.isEmpty() && page.path("has_more").asBoolean(items.size() >= upstreamPageSize);
            if (!ids.isEmpty()) cursor = backwards ? ids.getFirst() : ids.getLast();
            if (mine.size() > limit || !upstreamHasMore || pages >= MAX_UPSTREAM_PAGES) break;
        }
        boolean cutShort = mine.size() <= limit && upstreamHasMore;
        List<JsonNode> shown = backwards ? mine.subList(Math.max(0, mine.size() - limit), mine.size())
                : mine.subList(0, Math.min(limit, mine.size()));

        ObjectNode answer = Json.object().put("object", "list");
        ArrayNode data = answer.putArray("data");
        shown.forEach(data::add);
        if (!shown.isEmpty()) {
            answer.put("first_id", id(shown.getFirst())).put("last_id", id(shown.getLast()));
        } else if (cutShort) {
            answer.put("first_id", cursor).put("last_id", cursor);
        } else {
            answer.putNull("first_id").putNull("last_id");
        }
        answer.put("has_more", mine.size() > limit || cutShort);
        // The owner's items may hand on objects of their own (a batch's output file): those are the owner's too.
        shown.forEach(item -> AnswerRecords.derived(item, (derived, id) -> objects.record(derived.stored(), id, owner)));
        return answer;
    }

    private String query(Map<String, String> clientQuery, String cursorName, String cursor) {
        Map<String, String> query = new LinkedHashMap<>();
        clientQuery.forEach((name, value) -> {
            if (!PAGING.contains(name) && value != null) query.put(name, value);
        });
        query.put("limit", String.valueOf(upstreamPageSize));
        if (clientQuery.get("order") != null) query.put("order", clientQuery.get("order"));
        if (cursor != null) query.put(cursorName, cursor);
        StringJoiner joined = new StringJoiner("&");
        query.forEach((name, value) -> joined.add(encode(name) + "=" + encode(value)));
        return joined.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String id(JsonNode item) {
        JsonNode id = item.get("id");
        return id != null && id.isTextual() ? id.asText() : null;
    }

    private int limit(String value) {
        if (value == null) return defaultLimit;
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= maxLimit) return n;
        } catch (NumberFormatException refusedBelow) {
            // refused below
        }
        throw GatewayException.invalidParam("limit", "'limit' must be a whole number from 1 to " + maxLimit + ".");
    }

    private static String cursor(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) return null;
        if (!CURSOR.matcher(value).matches()) {
            throw GatewayException.invalidParam(name, "'" + name + "' must be an object id from a list.");
        }
        return value;
    }
}
