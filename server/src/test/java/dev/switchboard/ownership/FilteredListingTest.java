package dev.switchboard.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.TestDatabase;
import dev.switchboard.config.DatabaseSettings;
import dev.switchboard.config.Secret;
import dev.switchboard.store.Database;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The owner's page of a list shared with other owners, read through a stand-in for OpenAI's paging (its cursor rules,
 * 100 items at most a page) over a list where the owner's objects are few and scattered: every owned object is shown
 * once, in order, whatever the limit and direction, and has_more is true exactly when more of the owner's follow.
 * Owners are recorded in the real registry.
 */
class FilteredListingTest {
    static Database database;
    static OwnedObjects objects;
    static String url;

    @BeforeAll
    static void migrate() throws Exception {
        url = TestDatabase.freshDatabase(TestDatabase.sharedUrl());
        database = Database.connect(new DatabaseSettings(Optional.of(Secret.of(url))), Path.of("unused"));
        database.migrate();
        objects = new OwnedObjects(database.jdbi());
    }

    @AfterAll
    static void drop() throws Exception {
        objects.close();
        database.close();
        TestDatabase.drop(TestDatabase.sharedUrl(), url);
    }

    /** OpenAI's list, newest first by default: after=X follows X, before=X precedes it (nearest first kept). */
    static final class Upstream implements Function<String, JsonNode> {
        final List<String> ids;
        final List<String> queries = new ArrayList<>();

        Upstream(List<String> idsOldestFirst) {
            this.ids = idsOldestFirst;
        }

        @Override
        public JsonNode apply(String query) {
            queries.add(query);
            Map<String, String> q = new HashMap<>();
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) continue;
                String[] kv = pair.split("=", 2);
                q.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            int limit = Integer.parseInt(q.get("limit"));
            assertThat(limit).isBetween(1, FilteredListing.FILES_LIMIT);
            List<String> ordered = new ArrayList<>(ids);
            if (!"asc".equals(q.get("order"))) ordered = ordered.reversed();
            int from = 0;
            int to = ordered.size();
            if (q.containsKey("after")) from = ordered.indexOf(q.get("after")) + 1;
            if (q.containsKey("before")) to = ordered.indexOf(q.get("before"));
            List<String> page;
            boolean more;
            if (q.containsKey("before")) {
                page = ordered.subList(Math.max(from, to - limit), to);
                more = to - limit > from;
            } else {
                page = ordered.subList(from, Math.min(to, from + limit));
                more = from + limit < to;
            }
            ObjectNode body = Json.object().put("object", "list");
            page.forEach(id -> body.withArray("data").add(Json.object().put("id", id).put("object", "vector_store")));
            if (page.isEmpty()) body.putArray("data");
            body.put("has_more", more);
            return body;
        }
    }

    record World(List<String> all, List<String> mine, String owner) {}

    /** {@code total} ids, oldest first; every {@code every}-th one (from {@code offset}) is the owner's. */
    static World world(int total, int every, int offset) {
        String owner = "owner-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> all = new ArrayList<>();
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            String id = "vs_" + run + String.format("%05d", i);
            all.add(id);
            boolean owned = i % every == offset;
            objects.record(ApiKinds.VECTOR_STORE.stored(), id, owned ? owner : other);
            if (owned) mine.add(id);
        }
        return new World(all, mine, owner);
    }

    static FilteredListing listing() {
        return new FilteredListing(ApiKinds.VECTOR_STORE, objects);
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("data").forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 20, 99, 100})
    void walkingForwardShowsEachOfTheOwnersObjectsOnceInOrder(int limit) {
        World w = world(430, 9, 4);
        for (String order : List.of("desc", "asc")) {
            List<String> expected = order.equals("asc") ? w.mine() : w.mine().reversed();
            List<String> seen = new ArrayList<>();
            String after = null;
            while (true) {
                Map<String, String> query = new HashMap<>(Map.of("limit", String.valueOf(limit), "order", order));
                if (after != null) query.put("after", after);
                JsonNode page = listing().page(w.owner(), query, new Upstream(w.all()));
                List<String> ids = ids(page);
                assertThat(ids.size()).isLessThanOrEqualTo(limit);
                seen.addAll(ids);
                boolean more = seen.size() < expected.size();
                assertThat(page.path("has_more").asBoolean()).as("has_more after %s", seen.size()).isEqualTo(more);
                if (!ids.isEmpty()) {
                    assertThat(page.path("first_id").asText()).isEqualTo(ids.getFirst());
                    assertThat(page.path("last_id").asText()).isEqualTo(ids.getLast());
                }
                if (!more) break;
                assertThat(ids).hasSize(limit);
                after = page.path("last_id").asText();
            }
            assertThat(seen).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 100})
    void walkingBackwardFromTheEndShowsTheSameObjects(int limit) {
        World w = world(300, 7, 3);
        // Newest first: the oldest owned object is last; walk towards the newest with before=first_id.
        List<String> newestFirst = w.mine().reversed();
        JsonNode last = listing().page(w.owner(), Map.of("limit", "1", "order", "desc", "after", newestFirst.get(newestFirst.size() - 2)),
                new Upstream(w.all()));
        assertThat(ids(last)).containsExactly(newestFirst.getLast());
        assertThat(last.path("has_more").asBoolean()).isFalse();

        List<String> seen = new ArrayList<>(ids(last));
        String before = newestFirst.getLast();
        while (true) {
            JsonNode page = listing().page(w.owner(), Map.of("limit", String.valueOf(limit), "before", before), new Upstream(w.all()));
            List<String> ids = ids(page);
            seen.addAll(0, ids);
            boolean more = seen.size() < newestFirst.size();
            assertThat(page.path("has_more").asBoolean()).isEqualTo(more);
            if (!more) break;
            assertThat(ids).hasSize(limit);
            before = page.path("first_id").asText();
        }
        assertThat(seen).isEqualTo(newestFirst);
    }

    @Test
    void anOwnerWithNothingGetsAnEmptyLastPage() {
        World w = world(250, 1000, 999);
        JsonNode page = listing().page(w.owner(), Map.of(), new Upstream(w.all()));
        assertThat(ids(page)).isEmpty();
        assertThat(page.path("has_more").asBoolean()).isFalse();
        assertThat(page.path("first_id").isNull()).isTrue();
        assertThat(page.path("last_id").isNull()).isTrue();
        assertThat(page.path("object").asText()).isEqualTo("list");
    }

    @Test
    void theDefaultLimitIsTwentyAndOtherParametersGoUpstreamUnchanged() {
        World w = world(60, 2, 0);
        Upstream upstream = new Upstream(w.all());
        JsonNode page = listing().page(w.owner(), Map.of("purpose", "batch & more"), upstream);
        assertThat(ids(page)).hasSize(20);
        assertThat(page.path("has_more").asBoolean()).isTrue();
        assertThat(upstream.queries.getFirst()).isEqualTo("purpose=batch+%26+more&limit=100");
    }

    @Test
    void filesAreListedTenThousandAPageByDefaultAsOpenAiListsThem() {
        String owner = "owner-" + UUID.randomUUID();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String id = "file-" + run + String.format("%05d", i);
            all.add(id);
            objects.record(ApiKinds.FILE.stored(), id, owner);
        }
        Upstream upstream = new Upstream(all);
        JsonNode page = new FilteredListing(ApiKinds.FILE, objects).page(owner, Map.of(), upstream);
        assertThat(ids(page)).hasSize(120);
        assertThat(page.path("has_more").asBoolean()).isFalse();
        assertThat(upstream.queries).containsExactly("limit=10000");
        assertThatThrownBy(() -> new FilteredListing(ApiKinds.FILE, objects).page(owner, Map.of("limit", "10001"), upstream))
                .isInstanceOf(GatewayException.class);
    }

    @Test
    void aReadCutShortByTheCapSaysWhereItStoppedSoTheNextReadGoesOn() {
        int scanned = FilteredListing.MAX_UPSTREAM_PAGES * FilteredListing.UPSTREAM_PAGE;
        // The owner's only object is far beyond what one client page reads.
        World w = world(scanned + 150, scanned + 150, scanned + 120);
        Upstream upstream = new Upstream(w.all());
        JsonNode first = listing().page(w.owner(), Map.of("order", "asc"), upstream);
        assertThat(upstream.queries).hasSize(FilteredListing.MAX_UPSTREAM_PAGES);
        assertThat(ids(first)).isEmpty();
        assertThat(first.path("has_more").asBoolean()).isTrue();
        assertThat(first.path("last_id").asText()).isEqualTo(w.all().get(scanned - 1));

        JsonNode next = listing().page(w.owner(), Map.of("order", "asc", "after", first.path("last_id").asText()), upstream);
        assertThat(ids(next)).containsExactlyElementsOf(w.mine());
        assertThat(next.path("has_more").asBoolean()).isFalse();
    }

    @Test
    void anUpstreamErrorPropagates() {
        World w = world(150, 50, 1);
        Upstream upstream = new Upstream(w.all());
        GatewayException failure = new GatewayException(500, "server_error", null, null, "upstream broke");
        Function<String, JsonNode> failingSecondPage = query -> {
            if (!upstream.queries.isEmpty()) throw failure;
            return upstream.apply(query);
        };
        assertThatThrownBy(() -> listing().page(w.owner(), Map.of("limit", "3"), failingSecondPage)).isSameAs(failure);
    }

    @Test
    void badPagingParametersAreRefusedNamingThem() {
        World w = world(3, 1, 0);
        for (Map<String, String> query : List.of(Map.of("limit", "0"), Map.of("limit", "101"), Map.of("limit", "x"),
                Map.of("order", "sideways"), Map.of("after", "a/b"), Map.of("after", "x", "before", "y"))) {
            assertThatThrownBy(() -> listing().page(w.owner(), query, new Upstream(w.all())))
                    .as(query.toString()).isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(query).containsKey(e.param());
                    });
        }
    }

    @Test
    void aBatchShownToItsOwnerHandsOnItsOutputFiles() {
        String owner = "owner-" + UUID.randomUUID();
        String batch = "batch_" + UUID.randomUUID().toString().replace("-", "");
        String output = "file-" + UUID.randomUUID().toString().replace("-", "");
        objects.record(ApiKinds.BATCH.stored(), batch, owner);
        ObjectNode list = Json.object().put("object", "list").put("has_more", false);
        list.withArray("data").add(Json.object().put("id", batch).put("object", "batch").put("output_file_id", output));
        list.withArray("data").add(Json.object().put("id", "batch_someone_elses1").put("object", "batch")
                .put("output_file_id", "file-someoneelses1"));
        JsonNode page = new FilteredListing(ApiKinds.BATCH, objects).page(owner, Map.of(), query -> list);
        assertThat(ids(page)).containsExactly(batch);
        assertThat(objects.owns(owner, ApiKinds.FILE.stored(), output)).isTrue();
        assertThat(objects.ownerOf(ApiKinds.FILE.stored(), "file-someoneelses1")).isEmpty();
    }
}
