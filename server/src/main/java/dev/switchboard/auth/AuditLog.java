package dev.switchboard.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * The audit log of administration ({@code admin_audit}): who (the admin key, or the launcher), what (an action
 * such as {@code key.create}), on what, and when. Written as the action happens; a detail never holds a key.
 */
public final class AuditLog {
    private final Jdbi jdbi;

    public AuditLog(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** An action by an admin key. */
    public void record(Caller actor, String action, String target, ObjectNode detail) {
        write(actor.keyId(), actor.keyName() + " (" + actor.keyId() + ")", action, target, detail);
    }

    /** An action taken with the launcher on the server itself. */
    public void recordLocal(String action, String target, ObjectNode detail) {
        write(null, "launcher (" + System.getProperty("user.name", "unknown") + ")", action, target, detail);
    }

    /** Newest first; {@code before} is an entry id whose older neighbours are wanted. */
    public List<ObjectNode> recent(int limit, Long before) {
        return jdbi.withHandle(h -> h.createQuery("select * from admin_audit " + (before == null ? "" : "where id < :before ")
                        + "order by id desc limit :limit")
                .bind("before", before).bind("limit", limit)
                .map((rs, ctx) -> {
                    ObjectNode entry = Json.object().put("id", rs.getLong("id")).put("object", "gateway.audit_entry")
                            .put("at", rs.getObject("at", OffsetDateTime.class).toInstant().toString())
                            .put("actor_key_id", rs.getString("actor_key_id")).put("actor", rs.getString("actor"))
                            .put("action", rs.getString("action")).put("target", rs.getString("target"));
                    entry.set("detail", Json.stored(rs.getString("detail")));
                    return entry;
                }).list());
    }

    private void write(String actorKeyId, String actor, String action, String target, ObjectNode detail) {
        jdbi.useHandle(h -> h.createUpdate("insert into admin_audit (actor_key_id, actor, action, target, detail) "
                        + "values (:key, :actor, :action, :target, cast(:detail as jsonb))")
                .bind("key", actorKeyId).bind("actor", actor).bind("action", action).bind("target", target)
                .bind("detail", Json.write(detail == null ? Json.object() : detail)).execute());
    }
}
