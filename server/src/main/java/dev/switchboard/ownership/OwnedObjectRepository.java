package dev.switchboard.ownership;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code owned_objects} table: which owner created each object. */
final class OwnedObjectRepository {
    private final Jdbi jdbi;

    OwnedObjectRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Records the owner unless the object has one already (the first owner keeps it); true when recorded. */
    boolean insert(OwnedKind kind, String id, String owner) {
        return jdbi.withHandle(h -> h.createUpdate("insert into owned_objects (kind, id, owner) values (:kind, :id, :owner) "
                        + "on conflict (kind, id) do nothing")
                .bind("kind", kind.name()).bind("id", id).bind("owner", owner).execute()) == 1;
    }

    List<String> ownedAmong(OwnedKind kind, String owner, List<String> ids) {
        return jdbi.withHandle(h -> h.createQuery("select id from owned_objects where kind = :kind and owner = :owner "
                        + "and id = any(:ids)")
                .bind("kind", kind.name()).bind("owner", owner).bindArray("ids", String.class, ids)
                .mapTo(String.class).list());
    }

    Optional<String> owner(OwnedKind kind, String id) {
        return jdbi.withHandle(h -> h.createQuery("select owner from owned_objects where kind = :kind and id = :id")
                .bind("kind", kind.name()).bind("id", id).mapTo(String.class).findOne());
    }
}
