package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentDirectory;
import dev.switchboard.web.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code chatkit_sessions}: the Realtime sessions the gateway made (for agent sessions, and WebRTC calls it
 * brokered), with their transcript, usage and the session each one restarted.
 */
final class VoiceSessionRepository {
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Jdbi jdbi;
    /** Agent sessions are the agent capability's: read through its API, never joined. */
    private final AgentDirectory agents;

    VoiceSessionRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.agents = new AgentDirectory(jdbi);
    }

    /** The configuration a client's connection will be given, and the transcript to carry into it. */
    record Pending(String id, String owner, String agentSessionId, String model, String voice, String instructions,
                   JsonNode tools, ArrayNode carriedTranscript) {}

    /** A new session id: {@code rtsess_} and 24 random hex digits. */
    static String newId() {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "rtsess_" + java.util.HexFormat.of().formatHex(random);
    }

    /** How a session reaches OpenAI: through the gateway's WebSocket relay, or as a WebRTC call it brokered. */
    enum Kind { REALTIME, WEBRTC }

    ObjectNode insert(String id, Kind kind, String owner, String agentSessionId, String previousId, String model, String voice,
                      long expiresAt, JsonNode carried) {
        return jdbi.withHandle(h -> h.createQuery("""
                        insert into chatkit_sessions (id, owner, kind, agent_session_id, previous_session_id, model, voice,
                                                      status, carried_transcript, expires_at)
                        values (:id, :owner, :kind, :agent, :previous, :model, :voice, 'created', cast(:carried as jsonb),
                                to_timestamp(:expires))
                        returning *""")
                .bind("id", id).bind("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                .bind("owner", owner).bind("agent", agentSessionId).bind("previous", previousId)
                .bind("model", model).bind("voice", voice).bind("carried", Json.write(carried)).bind("expires", expiresAt)
                .map((rs, ctx) -> row(rs)).one());
    }

    /** The caller's session; a 404 naming it otherwise. */
    ObjectNode get(String owner, String id) {
        return find(owner, id).orElseThrow(() -> dev.switchboard.web.GatewayException.notFound("Realtime session", id));
    }

    Optional<ObjectNode> find(String owner, String id) {
        return jdbi.withHandle(h -> h.createQuery("select * from chatkit_sessions where id = :id and owner = :owner")
                .bind("id", id).bind("owner", owner).map((rs, ctx) -> row(rs)).findOne());
    }

    /** Every owner's sessions, newest first, of one kind when {@code kind} is given: the admin view. */
    java.util.List<ObjectNode> listAll(int limit, String before, String kind) {
        return jdbi.withHandle(h -> h.createQuery("select * from chatkit_sessions where true "
                        + (kind == null ? "" : "and kind = :kind ")
                        + (before == null ? "" : "and created_at < (select created_at from chatkit_sessions where id = :before) ")
                        + "order by created_at desc, id limit :limit")
                .bind("kind", kind).bind("before", before).bind("limit", limit)
                .map((rs, ctx) -> row(rs).put("owner", rs.getString("owner"))).list());
    }

    /** A WebRTC call's session, by the call's upstream id. */
    Optional<ObjectNode> findCall(String owner, String callId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "select * from chatkit_sessions where upstream_id = :call and owner = :owner and kind = 'webrtc'")
                .bind("call", callId).bind("owner", owner).map((rs, ctx) -> row(rs)).findOne());
    }

    /** What a connection opening this session needs, with the agent's instructions; empty for other ids. */
    Optional<Pending> pending(String id) {
        Optional<Pending> session = jdbi.withHandle(h -> h.createQuery("select * from chatkit_sessions where id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Pending(rs.getString("id"), rs.getString("owner"), rs.getString("agent_session_id"),
                        rs.getString("model"), rs.getString("voice"), null, Json.MAPPER.createArrayNode(),
                        (ArrayNode) Json.stored(rs.getString("carried_transcript"))))
                .findOne());
        return session.map(pending -> pending.agentSessionId() == null ? pending
                : agents.find(pending.owner(), pending.agentSessionId()).map(agent -> new Pending(pending.id(), pending.owner(),
                        pending.agentSessionId(), pending.model(), pending.voice(), agent.path("instructions").asText(null),
                        agent.path("tools").isArray() ? agent.get("tools") : Json.MAPPER.createArrayNode(),
                        pending.carriedTranscript())).orElse(pending));
    }

    /** Records a ChatKit session made upstream for {@code owner} (this table keeps every kind of session). */
    void insertChatKit(String id, String owner, String upstreamId, long expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("""
                        insert into chatkit_sessions (id, owner, kind, upstream_id, status, expires_at)
                        values (:id, :owner, 'chatkit', :upstream, 'active', to_timestamp(:expires))""")
                .bind("id", id).bind("owner", owner).bind("upstream", upstreamId).bind("expires", expiresAt).execute());
    }

    /** The upstream id of one of {@code owner}'s ChatKit sessions. */
    Optional<String> chatKitUpstreamId(String owner, String id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "select upstream_id from chatkit_sessions where id = :id and owner = :owner and kind = 'chatkit'")
                .bind("id", id).bind("owner", owner).mapTo(String.class).findOne());
    }

    void chatKitCancelled(String id) {
        jdbi.useHandle(h -> h.createUpdate("update chatkit_sessions set status = 'cancelled', ended_at = now() where id = :id")
                .bind("id", id).execute());
    }

    /** The session is live upstream; the first upstream id recorded stays (a call's id, before its session's). */
    void started(String id, String upstreamId) {
        jdbi.useHandle(h -> h.createUpdate(
                        "update chatkit_sessions set status = 'active', upstream_id = coalesce(upstream_id, :u) where id = :id")
                .bind("id", id).bind("u", upstreamId).execute());
    }

    void appendTranscript(String id, ObjectNode entry) {
        jdbi.useHandle(h -> h.createUpdate(
                        "update chatkit_sessions set transcript = transcript || jsonb_build_array(cast(:e as jsonb)) where id = :id")
                .bind("id", id).bind("e", Json.write(entry)).execute());
    }

    /**
     * A call was hung up: it is over now, whenever its sideband closes. The sideband's {@link #ended} adds the usage
     * and keeps this end time.
     */
    void hungUp(String id) {
        jdbi.useHandle(h -> h.createUpdate(
                        "update chatkit_sessions set status = 'ended', ended_at = coalesce(ended_at, now()) where id = :id")
                .bind("id", id).execute());
    }

    void ended(String id, JsonNode usage) {
        jdbi.useHandle(h -> h.createUpdate("""
                        update chatkit_sessions set status = 'ended', ended_at = coalesce(ended_at, now()),
                        usage = cast(:usage as jsonb)
                        where id = :id""")
                .bind("id", id).bind("usage", usage == null ? null : Json.write(usage)).execute());
    }

    private static ObjectNode row(ResultSet rs) throws SQLException {
        ObjectNode row = Json.object().put("id", rs.getString("id")).put("object", "realtime.agent_session")
                .put("agent_session_id", rs.getString("agent_session_id"))
                .put("previous_session_id", rs.getString("previous_session_id"))
                .put("kind", rs.getString("kind")).put("upstream_id", rs.getString("upstream_id")).put("model", rs.getString("model"))
                .put("voice", rs.getString("voice")).put("status", rs.getString("status"));
        row.set("transcript", Json.stored(rs.getString("transcript")));
        row.set("usage", Json.stored(rs.getString("usage")));
        row.put("created_at", epoch(rs, "created_at"));
        if (rs.getObject("expires_at") != null) row.put("expires_at", epoch(rs, "expires_at"));
        if (rs.getObject("ended_at") != null) row.put("ended_at", epoch(rs, "ended_at"));
        return row;
    }

    private static long epoch(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toEpochSecond();
    }
}
