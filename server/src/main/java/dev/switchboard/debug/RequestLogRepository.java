package dev.switchboard.debug;

import dev.switchboard.observe.Usage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The {@code request_log} and {@code openai_debug_events} tables. Inserts are idempotent: a retried batch is safe. */
public final class RequestLogRepository {
    private final Jdbi jdbi;

    public RequestLogRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insertRequests(List<RequestRow> rows) {
        jdbi.useTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    insert into request_log (request_id, key_id, owner, endpoint, model, streaming, stream_id, status,
                        outcome, error, upstream_request_id, input_tokens, output_tokens, total_tokens, ttfb_ms,
                        duration_ms, events, created_at)
                    values (:requestId, :keyId, :owner, :endpoint, :model, :streaming, :streamId, :status, :outcome,
                        :error, :upstreamRequestId, :input, :output, :total, :ttfb, :duration, :events, :createdAt)
                    on conflict (request_id) do nothing""");
            for (RequestRow r : rows) {
                bindCommon(batch, r);
                batch.bind("streaming", r.streaming()).bind("streamId", r.streamId()).bind("outcome", r.outcome())
                        .bind("events", r.events()).add();
            }
            batch.execute();
        });
    }

    void insertDebugEvents(List<RequestRow> rows) {
        jdbi.useTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    insert into openai_debug_events (request_id, upstream_request_id, kind, key_id, endpoint, model,
                        status, ttfb_ms, duration_ms, usage, error, created_at)
                    values (:requestId, :upstreamRequestId, 'upstream_request', :keyId, :endpoint, :model, :status,
                        :ttfb, :duration, cast(:usage as jsonb), cast(:errorJson as jsonb), :createdAt)
                    on conflict (request_id, kind) do nothing""");
            for (RequestRow r : rows) {
                bindCommon(batch, r);
                batch.bind("usage", r.usage() == null ? null : "{\"input_tokens\":" + r.usage().inputTokens()
                                + ",\"output_tokens\":" + r.usage().outputTokens() + ",\"total_tokens\":" + r.usage().totalTokens() + "}")
                        .bind("errorJson", r.error() == null ? null
                                : "{\"outcome\":" + quote(r.outcome()) + ",\"code\":" + quote(r.error()) + "}")
                        .add();
            }
            batch.execute();
        });
    }

    /** The most recent requests, newest first; {@code before} (a request's created_at as epoch millis) pages back. */
    public List<RequestRow> recent(int limit, Long beforeEpochMillis) {
        return jdbi.withHandle(h -> h.createQuery("select * from request_log "
                        + (beforeEpochMillis == null ? "" : "where created_at < :before ")
                        + "order by created_at desc, request_id limit :limit")
                .bind("limit", limit)
                .bind("before", beforeEpochMillis == null ? null : new Timestamp(beforeEpochMillis))
                .map((rs, ctx) -> read(rs)).list());
    }

    /** Token totals per key. */
    public List<KeyUsage> usageByKey() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select key_id, owner, count(*) as requests, coalesce(sum(input_tokens), 0) as input_tokens,
                               coalesce(sum(output_tokens), 0) as output_tokens, coalesce(sum(total_tokens), 0) as total_tokens
                        from request_log where key_id is not null group by key_id, owner order by total_tokens desc""")
                .map((rs, ctx) -> new KeyUsage(rs.getString("key_id"), rs.getString("owner"), rs.getLong("requests"),
                        new Usage(rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("total_tokens"))))
                .list());
    }

    /** Total tokens and requests one key has used. */
    public record KeyUsage(String keyId, String owner, long requests, Usage usage) {}

    private static void bindCommon(PreparedBatch batch, RequestRow r) {
        batch.bind("requestId", r.requestId()).bind("keyId", r.keyId()).bind("owner", r.owner())
                .bind("endpoint", r.endpoint()).bind("model", r.model()).bind("status", r.status())
                .bind("error", r.error()).bind("upstreamRequestId", r.upstreamRequestId())
                .bind("input", r.usage() == null ? null : r.usage().inputTokens())
                .bind("output", r.usage() == null ? null : r.usage().outputTokens())
                .bind("total", r.usage() == null ? null : r.usage().totalTokens())
                .bind("ttfb", r.ttfbMillis() < 0 ? null : (int) r.ttfbMillis())
                .bind("duration", (int) r.durationMillis())
                .bind("createdAt", Timestamp.from(r.createdAt()));
    }

    private static RequestRow read(ResultSet rs) throws SQLException {
        long input = rs.getLong("input_tokens");
        Usage usage = rs.wasNull() ? null : new Usage(input, rs.getLong("output_tokens"), rs.getLong("total_tokens"));
        int ttfb = rs.getInt("ttfb_ms");
        long ttfbMillis = rs.wasNull() ? -1 : ttfb;
        return new RequestRow(rs.getString("request_id"), rs.getString("key_id"), rs.getString("owner"),
                rs.getString("endpoint"), rs.getString("model"), rs.getBoolean("streaming"), rs.getString("stream_id"),
                rs.getInt("status"), rs.getString("outcome"), rs.getString("error"), rs.getString("upstream_request_id"),
                usage, ttfbMillis, rs.getLong("duration_ms"), rs.getLong("events"),
                rs.getTimestamp("created_at").toInstant());
    }

    private static String quote(String value) {
        return value == null ? "null" : dev.switchboard.web.Json.write(value);
    }
}
