package dev.switchboard.documents;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code documents} table. */
final class DocumentStore {
    /** A stored document's bytes and type. */
    record Stored(String id, String owner, MediaType type, byte[] bytes) {}

    private final Jdbi jdbi;

    DocumentStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(String id, String owner, MediaType type, byte[] bytes) {
        jdbi.useHandle(h -> h.createUpdate("insert into documents (id, owner, media_type, size, bytes) "
                        + "values (:id, :owner, :type, :size, :bytes)")
                .bind("id", id).bind("owner", owner).bind("type", type.name()).bind("size", bytes.length).bind("bytes", bytes)
                .execute());
    }

    Optional<Stored> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("select id, owner, media_type, bytes from documents where id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Stored(rs.getString("id"), rs.getString("owner"), MediaType.valueOf(rs.getString("media_type")),
                        rs.getBytes("bytes")))
                .findOne());
    }
}
