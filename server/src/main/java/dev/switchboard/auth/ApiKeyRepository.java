package dev.switchboard.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code api_keys} table. */
final class ApiKeyRepository {
    private static final String COLUMNS = "id, name, owner, key_prefix, admin, created_at, revoked_at";

    /** A stored key with its hash, for verification only. */
    record StoredKey(ApiKey key, byte[] hash) {}

    private final Jdbi jdbi;

    ApiKeyRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    ApiKey insert(String id, String name, String owner, byte[] hash, String prefix, boolean admin) {
        return jdbi.withHandle(h -> h.createQuery("insert into api_keys (id, name, owner, key_hash, key_prefix, admin) "
                        + "values (:id, :name, :owner, :hash, :prefix, :admin) returning " + COLUMNS)
                .bind("id", id).bind("name", name).bind("owner", owner).bind("hash", hash)
                .bind("prefix", prefix).bind("admin", admin)
                .map((rs, ctx) -> read(rs)).one());
    }

    Optional<StoredKey> findActiveByHash(byte[] hash) {
        return jdbi.withHandle(h -> h.createQuery("select " + COLUMNS + ", key_hash from api_keys "
                        + "where key_hash = :hash and (revoked_at is null or revoked_at > now())")
                .bind("hash", hash)
                .map((rs, ctx) -> new StoredKey(read(rs), rs.getBytes("key_hash")))
                .findOne());
    }

    Optional<ApiKey> findActiveById(String id) {
        return jdbi.withHandle(h -> h.createQuery("select " + COLUMNS + " from api_keys "
                        + "where id = :id and (revoked_at is null or revoked_at > now())")
                .bind("id", id).map((rs, ctx) -> read(rs)).findOne());
    }

    List<ApiKey> list() {
        return jdbi.withHandle(h -> h.createQuery("select " + COLUMNS + " from api_keys order by created_at, id")
                .map((rs, ctx) -> read(rs)).list());
    }

    /** Newest first; {@code before} is a key id whose older neighbours are wanted. */
    List<ApiKey> page(int limit, String before) {
        return jdbi.withHandle(h -> h.createQuery("select " + COLUMNS + " from api_keys "
                        + (before == null ? "" : "where created_at < (select created_at from api_keys where id = :before) ")
                        + "order by created_at desc, id limit :limit")
                .bind("before", before).bind("limit", limit).map((rs, ctx) -> read(rs)).list());
    }

    /**
     * Revokes a key now and notifies every gateway instance (see {@link RevocationListener}), in one transaction. A
     * revocation still to come (a rotated key's overlap) is brought forward to now; one already past is kept.
     */
    Optional<ApiKey> revoke(String id) {
        return jdbi.inTransaction(h -> {
            Optional<ApiKey> revoked = h.createQuery("update api_keys set revoked_at = least(coalesce(revoked_at, now()), now()) "
                            + "where id = :id returning " + COLUMNS)
                    .bind("id", id).map((rs, ctx) -> read(rs)).findOne();
            revoked.ifPresent(key -> h.createQuery("select pg_notify(:channel, :id)")
                    .bind("channel", RevocationListener.CHANNEL).bind("id", key.id()).mapTo(String.class).one());
            return revoked;
        });
    }

    /**
     * Replaces a key with a new one (same name, owner and role, and the same limits): the old one stays valid until
     * {@code overlap} has passed, then is refused. Empty when the key does not exist or is already revoked.
     */
    Optional<ApiKey> rotate(String oldId, String newId, byte[] hash, String prefix, Duration overlap,
                            java.util.List<KeyRotationListener> listeners) {
        return jdbi.inTransaction(h -> {
            Optional<ApiKey> old = h.createQuery("select " + COLUMNS + " from api_keys where id = :id "
                            + "and (revoked_at is null or revoked_at > now()) for update")
                    .bind("id", oldId).map((rs, ctx) -> read(rs)).findOne();
            if (old.isEmpty()) return Optional.empty();
            ApiKey created = h.createQuery("insert into api_keys (id, name, owner, key_hash, key_prefix, admin) "
                            + "values (:id, :name, :owner, :hash, :prefix, :admin) returning " + COLUMNS)
                    .bind("id", newId).bind("name", old.get().name()).bind("owner", old.get().owner()).bind("hash", hash)
                    .bind("prefix", prefix).bind("admin", old.get().admin()).map((rs, ctx) -> read(rs)).one();
            // The successor keeps what the key was allowed (its limits, kept by limits): in this transaction.
            for (KeyRotationListener listener : listeners) listener.rotated(h, oldId, newId);
            h.createUpdate("update api_keys set revoked_at = least(coalesce(revoked_at, 'infinity'), "
                            + "now() + :overlap * interval '1 second') where id = :id")
                    .bind("id", oldId).bind("overlap", overlap.toSeconds()).execute();
            // Every instance forgets what it knew of the old key, and reads its end: refused at once without an
            // overlap, and at the overlap's end otherwise (the key cache honours each key's own end).
            h.createQuery("select pg_notify(:channel, :id)").bind("channel", RevocationListener.CHANNEL).bind("id", oldId)
                    .mapTo(String.class).one();
            return Optional.of(created);
        });
    }

    boolean exists(String id) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from api_keys where id = :id").bind("id", id)
                .mapTo(Long.class).one()) == 1;
    }

    boolean anyActiveAdmin() {
        return jdbi.withHandle(h -> h.createQuery(
                        "select exists (select 1 from api_keys where admin and (revoked_at is null or revoked_at > now()))")
                .mapTo(Boolean.class).one());
    }

    private static ApiKey read(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString("id"), rs.getString("name"), rs.getString("owner"), rs.getString("key_prefix"),
                rs.getBoolean("admin"), instant(rs, "created_at"), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
