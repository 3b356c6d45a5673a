package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.store.Instances;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code agent_sessions} and {@code agent_runs} tables, as the JSON objects the API returns. */
final class AgentRepository {
    private final Jdbi jdbi;

    AgentRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    ObjectNode insertSession(String id, String owner, String name, String model, String instructions, JsonNode tools, JsonNode metadata) {
        return jdbi.withHandle(h -> h.createQuery("insert into agent_sessions (id, owner, name, model, instructions, tools, metadata) "
                        + "values (:id, :owner, :name, :model, :instructions, cast(:tools as jsonb), cast(:metadata as jsonb)) returning *")
                .bind("id", id).bind("owner", owner).bind("name", name).bind("model", model).bind("instructions", instructions)
                .bind("tools", Json.write(tools)).bind("metadata", Json.write(metadata))
                .map((rs, ctx) -> session(rs)).one());
    }

    Optional<ObjectNode> findSession(String owner, String id) {
        return jdbi.withHandle(h -> h.createQuery("select * from agent_sessions where id = :id and owner = :owner")
                .bind("id", id).bind("owner", owner).map((rs, ctx) -> session(rs)).findOne());
    }

    /** Newest first; {@code before} is a session id whose older neighbours are wanted. */
    List<ObjectNode> listSessions(String owner, int limit, String before) {
        return jdbi.withHandle(h -> h.createQuery("select * from agent_sessions where owner = :owner "
                        + (before == null ? "" : "and created_at < (select created_at from agent_sessions where id = :before) ")
                        + "order by created_at desc, id limit :limit")
                .bind("owner", owner).bind("before", before).bind("limit", limit).map((rs, ctx) -> session(rs)).list());
    }

    /** Every owner's sessions, newest first: the admin view. */
    List<ObjectNode> listAllSessions(int limit, String before) {
        return jdbi.withHandle(h -> h.createQuery("select * from agent_sessions "
                        + (before == null ? "" : "where created_at < (select created_at from agent_sessions where id = :before) ")
                        + "order by created_at desc, id limit :limit")
                .bind("before", before).bind("limit", limit).map((rs, ctx) -> session(rs).put("owner", rs.getString("owner"))).list());
    }

    /** A session's runs whoever owns it, newest first: the admin view. */
    List<ObjectNode> listAllRuns(String sessionId, int limit, String before) {
        return jdbi.withHandle(h -> h.createQuery("select * from agent_runs where session_id = :session "
                        + (before == null ? "" : "and created_at < (select created_at from agent_runs where id = :before) ")
                        + "order by created_at desc, id limit :limit")
                .bind("session", sessionId).bind("before", before).bind("limit", limit).map((rs, ctx) -> run(rs)).list());
    }

    void setLastResponse(String sessionId, String responseId) {
        jdbi.useHandle(h -> h.createUpdate("update agent_sessions set last_response_id = :r, updated_at = now() where id = :id")
                .bind("id", sessionId).bind("r", responseId).execute());
    }

    /** @param executor the instance running it, so that others can tell when it is gone */
    void insertRun(String id, String sessionId, String owner, JsonNode input, String streamId, String executor) {
        jdbi.useHandle(h -> h.createUpdate("insert into agent_runs (id, session_id, owner, status, input, stream_id, started_at, "
                        + "executor) values (:id, :session, :owner, 'in_progress', cast(:input as jsonb), :stream, now(), :executor)")
                .bind("id", id).bind("session", sessionId).bind("owner", owner).bind("input", Json.write(input))
                .bind("stream", streamId).bind("executor", executor).execute());
    }

    /**
     * Fails every run in progress whose instance has lapsed (see {@link Instances#lapsed}), in one statement, so of
     * several instances sweeping at once only one fails each run. Returns their ids.
     */
    List<String> failLapsed(long leaseMillis) {
        String error = Json.write(Json.object().put("code", "gateway_instance_lost")
                .put("message", "The gateway instance running this agent turn stopped (it crashed, was killed, or lost its "
                        + "database) before the turn was complete. Send the input again."));
        return jdbi.withHandle(h -> h.createQuery("update agent_runs set status = 'failed', error = cast(:error as jsonb), "
                        + "completed_at = now() where status = 'in_progress' and " + Instances.lapsed("agent_runs.executor")
                        + " returning id")
                .bind("error", error).bind("lease_ms", leaseMillis).mapTo(String.class).list());
    }

    /** Ends a run left in progress by a gateway instance that died while running it. */
    void failAbandonedRun(String streamId, String code) {
        String error = Json.write(Json.object().put("code", code)
                .put("message", "The gateway instance running this agent turn stopped before it was complete."));
        jdbi.useHandle(h -> h.createUpdate("update agent_runs set status = 'failed', error = cast(:error as jsonb), "
                        + "completed_at = now() where stream_id = :stream and status = 'in_progress'")
                .bind("stream", streamId).bind("error", error).execute());
    }

    /**
     * Records the run as it stands; {@code finished} also sets completed_at. A run no longer in progress (failed by
     * another instance that took this one for dead) is left as it is.
     */
    void updateRun(String id, String status, String outputText, JsonNode toolCalls, JsonNode usage, JsonNode responseIds,
                   JsonNode error, boolean finished) {
        jdbi.useHandle(h -> h.createUpdate("update agent_runs set status = :status, output_text = :output, "
                        + "tool_calls = cast(:tools as jsonb), usage = cast(:usage as jsonb), "
                        + "upstream_response_ids = cast(:ids as jsonb), error = cast(:error as jsonb)"
                        + (finished ? ", completed_at = now()" : "") + " where id = :id and status = 'in_progress'")
                .bind("id", id).bind("status", status).bind("output", outputText).bind("tools", Json.write(toolCalls))
                .bind("usage", usage == null ? null : Json.write(usage)).bind("ids", Json.write(responseIds))
                .bind("error", error == null ? null : Json.write(error)).execute());
    }

    List<ObjectNode> listRuns(String owner, String sessionId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("select * from agent_runs where owner = :owner and session_id = :session "
                        + "order by created_at desc, id limit :limit")
                .bind("owner", owner).bind("session", sessionId).bind("limit", limit).map((rs, ctx) -> run(rs)).list());
    }

    private static ObjectNode session(ResultSet rs) throws SQLException {
        ObjectNode session = Json.object().put("id", rs.getString("id")).put("object", "agent.session")
                .put("name", rs.getString("name")).put("model", rs.getString("model"))
                .put("instructions", rs.getString("instructions"));
        session.set("tools", json(rs.getString("tools")));
        session.set("metadata", json(rs.getString("metadata")));
        session.put("last_response_id", rs.getString("last_response_id"))
                .put("created_at", rs.getObject("created_at", OffsetDateTime.class).toEpochSecond());
        return session;
    }

    private static ObjectNode run(ResultSet rs) throws SQLException {
        ObjectNode run = Json.object().put("id", rs.getString("id")).put("object", "agent.run")
                .put("session_id", rs.getString("session_id")).put("status", rs.getString("status"));
        run.set("input", json(rs.getString("input")));
        run.put("output_text", rs.getString("output_text"));
        run.set("tool_calls", json(rs.getString("tool_calls")));
        run.set("usage", json(rs.getString("usage")));
        run.set("upstream_response_ids", json(rs.getString("upstream_response_ids")));
        run.set("error", json(rs.getString("error")));
        run.put("stream_id", rs.getString("stream_id"))
                .put("created_at", rs.getObject("created_at", OffsetDateTime.class).toEpochSecond());
        OffsetDateTime started = rs.getObject("started_at", OffsetDateTime.class);
        OffsetDateTime completed = rs.getObject("completed_at", OffsetDateTime.class);
        run.put("started_at", started == null ? null : started.toEpochSecond());
        run.put("completed_at", completed == null ? null : completed.toEpochSecond());
        run.put("duration_ms", started == null || completed == null ? null
                : java.time.Duration.between(started, completed).toMillis());
        return run;
    }

    private static JsonNode json(String text) {
        if (text == null) return Json.MAPPER.nullNode();
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return Json.MAPPER.nullNode();
        }
    }
}
