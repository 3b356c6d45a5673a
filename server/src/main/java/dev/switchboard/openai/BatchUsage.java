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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch's usage, counted once, for the key that created it. The lines of a batch run at OpenAI with no request
 * through the gateway; OpenAI reports what they used together, as the Batch object's {@code usage}, once the batch
 * has ended. The gateway counts it when it first reads the ended batch (a retrieval, a list, on any instance): that
 * instance claims the batch's row in {@code batch_usage}, and only the one that claims it records an exchange of its
 * own ({@code /v1/batches/{id}}, the creating key's, with the usage), which the token budgets and the request log see
 * like any request's. The reading request itself spends nothing ({@link Exchange#retrieval()}).
 *
 * <p>A batch the gateway did not see created (made at OpenAI directly, or before this table) has no row and is never
 * counted. A row the database refused at creation is not retried: that batch is not counted either (logged).
 */
final class BatchUsage {
    private static final Logger LOG = LoggerFactory.getLogger(BatchUsage.class);
    private static final int REMEMBERED = 10_000;
    /** A batch's usage is final once it has ended, however it ended (an expired or cancelled one used what it ran). */
    private static final java.util.Set<String> ENDED = java.util.Set.of("completed", "failed", "expired", "cancelled");

    private final Jdbi jdbi;
    private final ExchangeListener listener;
    /** Batches this instance knows are counted (by it or another), so reading them again asks the database nothing. */
    private final Map<String, Boolean> counted = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    BatchUsage(Jdbi jdbi, ExchangeListener listener) {
        this.jdbi = jdbi;
        this.listener = listener;
    }

    /** A batch was created by {@code keyId}'s request: its usage, when it ends, is that key's. */
    void created(String keyId, String owner, JsonNode batch) {
        String id = batchId(batch);
        if (id == null || keyId == null) return;
        try {
            jdbi.useHandle(h -> h.createUpdate("insert into batch_usage (batch_id, key_id, owner) values (:id, :key, :owner) "
                    + "on conflict (batch_id) do nothing").bind("id", id).bind("key", keyId).bind("owner", owner).execute());
        } catch (JdbiException databaseDown) {
            LOG.warn("batch {} was created but its key could not be recorded; its usage will not be counted", id);
        }
    }

    /** An answer the gateway read: a Batch object, or a list of them. Each ended batch with usage is counted once. */
    void seen(JsonNode answer) {
        if (answer == null || !answer.isObject()) return;
        if ("list".equals(answer.path("object").asText()) && answer.path("data").isArray()) {
            answer.path("data").forEach(this::seenBatch);
        } else {
            seenBatch(answer);
        }
    }

    private void seenBatch(JsonNode batch) {
        String id = batchId(batch);
        if (id == null || !ENDED.contains(batch.path("status").asText())) return;
        Usage usage = Usage.fromJson(batch.get("usage"));
        if (usage == null || counted.containsKey(id)) return;
        Optional<Claim> claim;
        try {
            claim = jdbi.withHandle(h -> h.createQuery("update batch_usage set counted_at = now() "
                            + "where batch_id = :id and counted_at is null returning key_id, owner")
                    .bind("id", id).map((rs, c) -> new Claim(rs.getString(1), rs.getString(2))).findOne());
        } catch (JdbiException databaseDown) {
            return; // not claimed: the next reader counts it
        }
        counted.put(id, true);
        claim.ifPresent(c -> record(id, c, usage, batch));
    }

    private record Claim(String keyId, String owner) {}

    private void record(String batchId, Claim claim, Usage usage, JsonNode batch) {
        Exchange exchange = new Exchange(RequestIds.next(), claim.keyId(), null, claim.owner(), "/v1/batches/{id}",
                batch.path("model").asText(null), false, listener);
        exchange.answered(200, null);
        exchange.usage(usage);
        exchange.responseId(batchId);
        exchange.finish("completed", null);
    }

    private static String batchId(JsonNode batch) {
        if (batch == null || !"batch".equals(batch.path("object").asText())) return null;
        String id = batch.path("id").asText("");
        return id.matches("[A-Za-z0-9_-]{1,200}") ? id : null;
    }
}
