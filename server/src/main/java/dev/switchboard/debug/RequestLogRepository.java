package dev.switchboard.debug;

import dev.switchboard.observe.Usage;
import dev.switchboard.store.Instances;
import dev.switchboard.store.PgText;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The {@code request_log} and {@code openai_debug_events} tables. Inserts are idempotent: a retried batch is safe. */
public final class RequestLogRepository {
    private final Jdbi jdbi;

    public RequestLogRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A request's row. It replaces only a row its request's in-flight record left (outcome {@code interrupted} when
     * its instance died, {@code shutdown} when a stopping instance settled what had no row yet): the real row, written
     * late, says more. Nothing else is replaced, so no request is counted twice.
     */
    private static final String INSERT_REQUEST = """
            insert into request_log (request_id, key_id, owner, endpoint, model, streaming, stream_id, status, outcome,
                error, upstream_request_id, input_tokens, output_tokens, total_tokens, ttfb_ms, duration_ms, events,
                created_at)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (request_id) do update set key_id = excluded.key_id, owner = excluded.owner,
                endpoint = excluded.endpoint, model = excluded.model, streaming = excluded.streaming,
                stream_id = excluded.stream_id, status = excluded.status, outcome = excluded.outcome,
                error = excluded.error, upstream_request_id = excluded.upstream_request_id,
                input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                total_tokens = excluded.total_tokens, ttfb_ms = excluded.ttfb_ms, duration_ms = excluded.duration_ms,
                events = excluded.events, created_at = excluded.created_at
            where request_log.outcome in ('interrupted', 'shutdown')""";

    /** Its request's row removes it, in the same transaction: a request is never both in flight and recorded. */
    private static final String DELETE_IN_FLIGHT = "delete from requests_in_flight where request_id = any(?)";

    /** A start, or a live request's progress; never for a request recorded already. */
    private static final String UPSERT_IN_FLIGHT = """
            insert into requests_in_flight (request_id, instance_id, key_id, owner, endpoint, model, streaming, stream_id,
                status, upstream_request_id, input_tokens, output_tokens, total_tokens, ttfb_ms, events, created_at)
            select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as timestamptz)
            where not exists (select 1 from request_log where request_id = ?)
            on conflict (request_id) do update set stream_id = excluded.stream_id, status = excluded.status,
                upstream_request_id = excluded.upstream_request_id, input_tokens = excluded.input_tokens,
                output_tokens = excluded.output_tokens, total_tokens = excluded.total_tokens, ttfb_ms = excluded.ttfb_ms,
                events = excluded.events, updated_at = now()""";

    /**
     * Moves requests in flight into {@code request_log}: one statement, so among instances settling at once each row
     * has one winner, and a request recorded already keeps its row. Its duration is up to its last progress known.
     */
    private static final String SETTLE_IN_FLIGHT = """
            with settled as (delete from requests_in_flight where %s returning *)
            insert into request_log (request_id, key_id, owner, endpoint, model, streaming, stream_id, status, outcome,
                error, upstream_request_id, input_tokens, output_tokens, total_tokens, ttfb_ms, duration_ms, events,
                created_at)
            select request_id, key_id, owner, endpoint, model, streaming, stream_id, status, :outcome, :error,
                upstream_request_id, input_tokens, output_tokens, total_tokens, ttfb_ms,
                cast(greatest(0, extract(epoch from updated_at - created_at) * 1000) as integer), events, created_at
            from settled
            on conflict (request_id) do nothing""";

    private static final String INSERT_DEBUG_EVENT = """
            insert into openai_debug_events (request_id, upstream_request_id, kind, key_id, endpoint, model, status,
                ttfb_ms, duration_ms, usage, error, created_at)
            values (?, ?, 'upstream_request', ?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?)
            on conflict (request_id, kind) do nothing""";

    /** Plain JDBC batches: these run for every request, and binding through Jdbi costs several times more. */
    void insertRequests(List<RequestRow> rows) throws SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement(INSERT_REQUEST)) {
                for (RequestRow r : rows) {
                    setText(insert, 1, r.requestId());
                    setText(insert, 2, r.keyId());
                    setText(insert, 3, r.owner());
                    setText(insert, 4, r.endpoint());
                    setText(insert, 5, r.model());
                    insert.setBoolean(6, r.streaming());
                    setText(insert, 7, r.streamId());
                    insert.setInt(8, r.status());
                    setText(insert, 9, r.outcome());
                    setText(insert, 10, r.error());
                    setText(insert, 11, r.upstreamRequestId());
                    setTokens(insert, 12, r.usage());
                    setNullableInt(insert, 15, r.ttfbMillis());
                    insert.setInt(16, (int) r.durationMillis());
                    insert.setLong(17, r.events());
                    insert.setTimestamp(18, Timestamp.from(r.createdAt()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (PreparedStatement delete = h.getConnection().prepareStatement(DELETE_IN_FLIGHT)) {
                delete.setArray(1, h.getConnection().createArrayOf("text",
                        rows.stream().map(RequestRow::requestId).toArray()));
                delete.executeUpdate();
            }
        });
    }

    void upsertInFlight(String instanceId, List<RequestRow> rows) throws SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement upsert = h.getConnection().prepareStatement(UPSERT_IN_FLIGHT)) {
                for (RequestRow r : rows) {
                    setText(upsert, 1, r.requestId());
                    setText(upsert, 2, instanceId);
                    setText(upsert, 3, r.keyId());
                    setText(upsert, 4, r.owner());
                    setText(upsert, 5, r.endpoint());
                    setText(upsert, 6, r.model());
                    upsert.setBoolean(7, r.streaming());
                    setText(upsert, 8, r.streamId());
                    if (r.status() == 0) upsert.setNull(9, Types.INTEGER);
                    else upsert.setInt(9, r.status());
                    setText(upsert, 10, r.upstreamRequestId());
                    setTokens(upsert, 11, r.usage());
                    setNullableInt(upsert, 14, r.ttfbMillis());
                    upsert.setLong(15, r.events());
                    upsert.setTimestamp(16, Timestamp.from(r.createdAt()));
                    setText(upsert, 17, r.requestId());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
        });
    }

    /**
     * Records requests in flight with {@code outcome}: this instance's own ({@code own}), or those of every instance
     * whose heartbeat lapsed more than {@code leaseMillis} ago (see {@link Instances}). Returns how many were recorded.
     */
    int settleInFlight(String instanceId, boolean own, long leaseMillis, String outcome, String error) {
        String which = own ? "instance_id = :self" : "instance_id <> :self and " + Instances.lapsed("instance_id");
        return jdbi.withHandle(h -> h.createUpdate(SETTLE_IN_FLIGHT.formatted(which)).bind("self", instanceId)
                .bind("lease_ms", leaseMillis).bind("outcome", outcome).bind("error", error).execute());
    }

    /** This instance's rows whose request is recorded (its start was written after its row). */
    void forgetRecordedInFlight(String instanceId) {
        jdbi.useHandle(h -> h.createUpdate("""
                        delete from requests_in_flight f where instance_id = :self
                        and exists (select 1 from request_log r where r.request_id = f.request_id)""")
                .bind("self", instanceId).execute());
    }

    void insertDebugEvents(List<RequestRow> rows) throws SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement(INSERT_DEBUG_EVENT)) {
                for (RequestRow r : rows) {
                    setText(insert, 1, r.requestId());
                    setText(insert, 2, r.upstreamRequestId());
                    setText(insert, 3, r.keyId());
                    setText(insert, 4, r.endpoint());
                    setText(insert, 5, r.model());
                    insert.setInt(6, r.status());
                    setNullableInt(insert, 7, r.ttfbMillis());
                    insert.setInt(8, (int) r.durationMillis());
                    // Seconds for transcriptions billed by duration: request_log has columns for tokens only.
                    setText(insert, 9, r.usage() == null ? null : "{\"input_tokens\":" + r.usage().inputTokens()
                            + ",\"output_tokens\":" + r.usage().outputTokens() + ",\"total_tokens\":" + r.usage().totalTokens()
                            + (r.usage().seconds() > 0 ? ",\"seconds\":" + r.usage().seconds() : "") + "}");
                    setText(insert, 10, r.error() == null ? null
                            : "{\"outcome\":" + quote(r.outcome()) + ",\"code\":" + quote(r.error()) + "}");
                    insert.setTimestamp(11, Timestamp.from(r.createdAt()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    void insertRealtimeEvents(List<RequestRecorder.RealtimeEventRow> rows) throws SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement("""
                    insert into openai_debug_events (request_id, kind, key_id, endpoint, payload, created_at, session_id)
                    values (?, 'realtime_event', ?, ?, cast(? as jsonb), ?, ?)
                    on conflict (request_id, kind) do nothing""")) {
                for (RequestRecorder.RealtimeEventRow r : rows) {
                    setText(insert, 1, r.id());
                    setText(insert, 2, r.keyId());
                    setText(insert, 3, "/v1/realtime " + r.direction() + " " + r.type());
                    setText(insert, 4, r.payload());
                    insert.setTimestamp(5, Timestamp.from(r.at()));
                    setText(insert, 6, r.sessionId());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    void insertFallbacks(List<RequestRecorder.FallbackRow> rows) throws SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement("""
                    insert into openai_debug_events (request_id, kind, key_id, endpoint, model, error, payload, created_at)
                    values (?, 'fallback', ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?)
                    on conflict (request_id, kind) do nothing""")) {
                for (RequestRecorder.FallbackRow r : rows) {
                    setText(insert, 1, r.requestId());
                    setText(insert, 2, r.keyId());
                    setText(insert, 3, r.endpoint());
                    setText(insert, 4, r.to());
                    setText(insert, 5, "{\"message\":" + quote(r.cause()) + "}");
                    setText(insert, 6, "{\"from\":" + quote(r.from()) + ",\"to\":" + quote(r.to()) + "}");
                    insert.setTimestamp(7, Timestamp.from(r.at()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    void insertToolCalls(List<RequestRecorder.ToolCallRow> rows) throws SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement("""
                    insert into openai_debug_events (request_id, kind, key_id, endpoint, status, duration_ms, error, payload, created_at)
                    values (?, 'tool_call', ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?)
                    on conflict (request_id, kind) do nothing""")) {
                for (RequestRecorder.ToolCallRow r : rows) {
                    setText(insert, 1, r.callId());
                    setText(insert, 2, r.keyId());
                    setText(insert, 3, "tool:" + r.tool());
                    insert.setInt(4, r.error() == null ? 200 : 500);
                    insert.setInt(5, (int) r.durationMillis());
                    setText(insert, 6, r.error() == null ? null : "{\"message\":" + quote(r.error()) + "}");
                    setText(insert, 7, "{\"agent_run_id\":" + quote(r.runId()) + ",\"tool\":" + quote(r.tool()) + "}");
                    insert.setTimestamp(8, Timestamp.from(r.at()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    /** The most recent requests, newest first; {@code before} (a request's created_at as epoch millis) pages back. */
    public List<RequestRow> recent(int limit, Long beforeEpochMillis) {
        return jdbi.withHandle(h -> h.createQuery("select r.*, null as key_name from request_log r "
                        + (beforeEpochMillis == null ? "" : "where r.created_at < :before ")
                        + "order by r.created_at desc, r.request_id limit :limit")
                .bind("limit", limit)
                .bind("before", beforeEpochMillis == null ? null : new Timestamp(beforeEpochMillis))
                .map((rs, ctx) -> read(rs)).list());
    }

    /**
     * Debug events, newest first, filtered by {@code kind}, by a request id prefix (a realtime session's events
     * share its request id) and by the gateway's Realtime session ({@code rtsess_…}), when given; {@code beforeId}
     * pages back.
     */
    public List<com.fasterxml.jackson.databind.node.ObjectNode> debugEvents(String kind, String requestId, String sessionId,
                                                                           int limit, Long beforeId) {
        return jdbi.withHandle(h -> h.createQuery("select * from openai_debug_events where true "
                        + (kind == null ? "" : "and kind = :kind ")
                        + (requestId == null ? "" : "and request_id like :request escape '\\' ")
                        + (sessionId == null ? "" : "and session_id = :session ")
                        + (beforeId == null ? "" : "and id < :before ")
                        + "order by id desc limit :limit")
                .bind("kind", kind).bind("request", requestId == null ? null : likePrefix(requestId)).bind("session", sessionId)
                .bind("before", beforeId).bind("limit", limit)
                .map((rs, ctx) -> debugEvent(rs)).list());
    }

    private static String likePrefix(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode debugEvent(java.sql.ResultSet rs) throws SQLException {
        var event = dev.switchboard.web.Json.object().put("id", rs.getLong("id")).put("object", "gateway.debug_event")
                .put("request_id", rs.getString("request_id")).put("session_id", rs.getString("session_id"))
                .put("upstream_request_id", rs.getString("upstream_request_id"))
                .put("kind", rs.getString("kind")).put("key_id", rs.getString("key_id")).put("endpoint", rs.getString("endpoint"))
                .put("model", rs.getString("model"));
        event.set("status", rs.getObject("status") == null ? null : dev.switchboard.web.Json.MAPPER.valueToTree(rs.getInt("status")));
        event.set("ttfb_ms", rs.getObject("ttfb_ms") == null ? null : dev.switchboard.web.Json.MAPPER.valueToTree(rs.getInt("ttfb_ms")));
        event.set("duration_ms", rs.getObject("duration_ms") == null ? null
                : dev.switchboard.web.Json.MAPPER.valueToTree(rs.getInt("duration_ms")));
        event.set("usage", parseJson(rs.getString("usage")));
        event.set("error", parseJson(rs.getString("error")));
        event.set("payload", parseJson(rs.getString("payload")));
        event.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
        return event;
    }

    private static com.fasterxml.jackson.databind.JsonNode parseJson(String json) {
        if (json == null) return dev.switchboard.web.Json.MAPPER.nullNode();
        try {
            return dev.switchboard.web.Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return dev.switchboard.web.Json.MAPPER.getNodeFactory().textNode(json);
        }
    }

    /** Tokens a key's requests recorded since {@code since}: what its budgets count when no shared total is kept. */
    public long tokensSince(String keyId, java.time.OffsetDateTime since) {
        return jdbi.withHandle(h -> h.createQuery(
                        "select coalesce(sum(total_tokens), 0) from request_log where key_id = :key and created_at >= :since")
                .bind("key", keyId).bind("since", since).mapTo(Long.class).one());
    }

    /** Debug events of {@code kind} (such as {@code fallback}) recorded by every instance within {@code within}. */
    public long debugEventsWithin(String kind, java.time.Duration within) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from openai_debug_events "
                        + "where kind = :kind and created_at > now() - make_interval(secs => :seconds)")
                .bind("kind", kind).bind("seconds", (double) within.toSeconds()).mapTo(Long.class).one());
    }

    /** Token totals per key (key ids; their names are auth's, added by the admin view). */
    public List<KeyUsage> usageByKey() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select r.key_id, null as key_name, r.owner, count(*) as requests,
                               coalesce(sum(r.input_tokens), 0) as input_tokens, coalesce(sum(r.output_tokens), 0) as output_tokens,
                               coalesce(sum(r.total_tokens), 0) as total_tokens
                        from request_log r
                        where r.key_id is not null group by r.key_id, r.owner order by total_tokens desc""")
                .map((rs, ctx) -> new KeyUsage(rs.getString("key_id"), rs.getString("key_name"), rs.getString("owner"),
                        rs.getLong("requests"),
                        new Usage(rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("total_tokens"))))
                .list());
    }

    /** Total tokens and requests one key has used. */
    public record KeyUsage(String keyId, String keyName, String owner, long requests, Usage usage) {}

    private static void setTokens(PreparedStatement insert, int first, Usage usage) throws SQLException {
        if (usage == null) {
            for (int i = 0; i < 3; i++) insert.setNull(first + i, Types.BIGINT);
            return;
        }
        insert.setLong(first, usage.inputTokens());
        insert.setLong(first + 1, usage.outputTokens());
        insert.setLong(first + 2, usage.totalTokens());
    }

    /** Every string of these plain JDBC batches goes through {@link PgText#text}, as Jdbi's arguments do. */
    private static void setText(PreparedStatement insert, int index, String value) throws SQLException {
        insert.setString(index, PgText.text(value));
    }

    private static void setNullableInt(PreparedStatement insert, int index, long value) throws SQLException {
        if (value < 0) insert.setNull(index, Types.INTEGER);
        else insert.setInt(index, (int) value);
    }

    private static RequestRow read(ResultSet rs) throws SQLException {
        long input = rs.getLong("input_tokens");
        Usage usage = rs.wasNull() ? null : new Usage(input, rs.getLong("output_tokens"), rs.getLong("total_tokens"));
        int ttfb = rs.getInt("ttfb_ms");
        long ttfbMillis = rs.wasNull() ? -1 : ttfb;
        return new RequestRow(rs.getString("request_id"), rs.getString("key_id"), rs.getString("key_name"), rs.getString("owner"),
                rs.getString("endpoint"), rs.getString("model"), rs.getBoolean("streaming"), rs.getString("stream_id"),
                rs.getInt("status"), rs.getString("outcome"), rs.getString("error"), rs.getString("upstream_request_id"),
                usage, ttfbMillis, rs.getLong("duration_ms"), rs.getLong("events"),
                rs.getTimestamp("created_at").toInstant());
    }

    private static String quote(String value) {
        return value == null ? "null" : dev.switchboard.web.Json.write(value);
    }
}
