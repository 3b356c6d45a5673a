package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.observe.Usage;
import dev.switchboard.web.RequestIds;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage OpenAI reports after the request that spent it has ended, counted once, for the key that made the request.
 * A batch's lines run at OpenAI with no request through the gateway, and OpenAI reports what they used together as the
 * Batch object's {@code usage} once the batch has ended; a background response created without a stream answers
 * {@code queued}, and its usage is on the response once it ends. The gateway counts such usage when it first reads the
 * ended object (a retrieval, a list, a replayed stream, on any instance): that instance claims the object's row in
 * {@code deferred_usage}, and only the one that claims it records an exchange of its own (the object's retrieval
 * endpoint, the creating key's, with the usage), which the token budgets and the request log see like any request's.
 * The reading request itself spends nothing ({@link Exchange#retrieval()}).
 *
 * <p>An object the gateway did not see created (made at OpenAI directly, or before this table) has no row and is never
 * counted. A row the database refused at creation is not retried: that object is not counted either (logged).
 */
final class DeferredUsage {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredUsage.class);
    private static final int REMEMBERED = 10_000;

    /** An object kind whose usage comes later: its {@code object} name, its endpoint's name, and the statuses it ends in. */
    private enum Kind {
        BATCH("batch", "/v1/batches/{id}", Set.of("completed", "failed", "expired", "cancelled"), Set.of("validating")),
        RESPONSE("response", "/v1/responses/{id}", Set.of("completed", "failed", "incomplete", "cancelled"),
                Set.of("queued", "in_progress"));

        final String object;
        final String endpoint;
        /** An ended object's usage is final, however it ended (a cancelled batch used what it ran). */
        final Set<String> ended;
        /** The statuses of a created object whose usage is yet to come. */
        final Set<String> pending;

        Kind(String object, String endpoint, Set<String> ended, Set<String> pending) {
            this.object = object;
            this.endpoint = endpoint;
            this.ended = ended;
            this.pending = pending;
        }

        static Kind of(JsonNode answer) {
            String object = answer.path("object").asText("");
            for (Kind kind : values()) if (kind.object.equals(object)) return kind;
            return null;
        }
    }

    private final Jdbi jdbi;
    private final ExchangeListener listener;
    /** Objects this instance knows are counted (by it or another), so reading them again asks the database nothing. */
    private final Map<String, Boolean> counted = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    DeferredUsage(Jdbi jdbi, ExchangeListener listener) {
        this.jdbi = jdbi;
        this.listener = listener;
    }

    /**
     * A request's answer created an object: a batch, or a response still queued or in progress (created in the
     * background without a stream), whose usage, when it ends, is {@code keyId}'s.
     */
    void created(String keyId, String owner, JsonNode answer) {
        if (answer == null || keyId == null) return;
        Kind kind = Kind.of(answer);
        String id = id(answer);
        if (kind == null || id == null || !kind.pending.contains(answer.path("status").asText())) return;
        try {
            jdbi.useHandle(h -> h.createUpdate("insert into deferred_usage (object_id, key_id, owner) "
                            + "values (:id, :key, :owner) on conflict (object_id) do nothing")
                    .bind("id", id).bind("key", keyId).bind("owner", owner).execute());
        } catch (JdbiException databaseDown) {
            LOG.warn("{} {} was created but its key could not be recorded; its usage will not be counted", kind.object, id);
        }
    }

    /** An answer the gateway read: an object, or a list of them. Each ended one with usage is counted once. */
    void seen(JsonNode answer) {
        if (answer == null || !answer.isObject()) return;
        if ("list".equals(answer.path("object").asText()) && answer.path("data").isArray()) {
            answer.path("data").forEach(this::seenObject);
        } else {
            seenObject(answer);
        }
    }

    private void seenObject(JsonNode object) {
        Kind kind = Kind.of(object);
        String id = id(object);
        if (kind == null || id == null || !kind.ended.contains(object.path("status").asText())) return;
        Usage usage = Usage.fromJson(object.get("usage"));
        if (usage == null || counted.containsKey(id)) return;
        Optional<Claim> claim;
        try {
            claim = jdbi.withHandle(h -> h.createQuery("update deferred_usage set counted_at = now() "
                            + "where object_id = :id and counted_at is null returning key_id, owner")
                    .bind("id", id).map((rs, c) -> new Claim(rs.getString(1), rs.getString(2))).findOne());
        } catch (JdbiException databaseDown) {
            return; // not claimed: the next reader counts it
        }
        counted.put(id, true);
        claim.ifPresent(c -> record(kind, id, c, usage, object));
    }

    private record Claim(String keyId, String owner) {}

    private void record(Kind kind, String id, Claim claim, Usage usage, JsonNode object) {
        Exchange exchange = new Exchange(RequestIds.next(), claim.keyId(), null, claim.owner(), kind.endpoint,
                object.path("model").asText(null), false, listener);
        exchange.answered(200, null);
        exchange.usage(usage);
        exchange.answeredBy(object);
        exchange.finish("completed", null);
    }

    private static String id(JsonNode object) {
        String id = object.path("id").asText("");
        return id.matches("[A-Za-z0-9_-]{1,200}") ? id : null;
    }
}
