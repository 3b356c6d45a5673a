package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * One table of Assistants objects, each kept as the JSON document the API returns. Every read and write is scoped
 * to an owner: an object of another owner does not exist for the caller.
 */
final class Documents {
    private final Jdbi jdbi;
    private final String table;
    private final boolean hasParent;

    /** @param hasParent rows belong to a parent object (messages to a thread) through {@code parent_id} */
    Documents(Jdbi jdbi, String table, boolean hasParent) {
        this.jdbi = jdbi;
        this.table = table;
        this.hasParent = hasParent;
    }

    void insert(String owner, String parentId, ObjectNode body) {
        jdbi.useHandle(h -> h.createUpdate("insert into " + table + " (id, owner, " + (hasParent ? "parent_id, " : "")
                        + "created_at, body) values (:id, :owner, " + (hasParent ? ":parent, " : "") + ":createdAt, cast(:body as jsonb))")
                .bind("id", body.get("id").asText()).bind("owner", owner).bind("parent", parentId)
                .bind("createdAt", body.get("created_at").asLong()).bind("body", Json.write(body)).execute());
    }

    Optional<ObjectNode> find(String owner, String id) {
        return jdbi.withHandle(h -> h.createQuery("select body::text from " + table + " where id = :id and owner = :owner")
                .bind("id", id).bind("owner", owner).mapTo(String.class).findOne()).map(Documents::parse);
    }

    /** Finds a row of the given parent only. */
    Optional<ObjectNode> find(String owner, String parentId, String id) {
        return jdbi.withHandle(h -> h.createQuery("select body::text from " + table
                        + " where id = :id and owner = :owner and parent_id = :parent")
                .bind("id", id).bind("owner", owner).bind("parent", parentId).mapTo(String.class).findOne())
                .map(Documents::parse);
    }

    void replace(String owner, ObjectNode body) {
        jdbi.useHandle(h -> h.createUpdate("update " + table + " set body = cast(:body as jsonb) where id = :id and owner = :owner")
                .bind("id", body.get("id").asText()).bind("owner", owner).bind("body", Json.write(body)).execute());
    }

    boolean delete(String owner, String id) {
        return jdbi.withHandle(h -> h.createUpdate("delete from " + table + " where id = :id and owner = :owner")
                .bind("id", id).bind("owner", owner).execute()) > 0;
    }

    /**
     * One page of the owner's objects (of one parent, when the table has parents), with one extra row fetched to
     * tell whether there are more. An {@code after} or {@code before} id that is not the owner's gives an empty page.
     */
    List<ObjectNode> list(String owner, String parentId, Page page) {
        StringBuilder sql = new StringBuilder("select body::text from " + table + " where owner = :owner");
        if (hasParent) sql.append(" and parent_id = :parent");
        // Desc order walks seq downwards: 'after' is then an older object, 'before' a newer one.
        if (page.after() != null) sql.append(" and seq ").append(page.ascending() ? ">" : "<").append(cursor("after"));
        if (page.before() != null) sql.append(" and seq ").append(page.ascending() ? "<" : ">").append(cursor("before"));
        sql.append(" order by seq ").append(page.ascending() ? "asc" : "desc").append(" limit :limit");
        return jdbi.withHandle(h -> h.createQuery(sql.toString()).bind("owner", owner).bind("parent", parentId)
                        .bind("after", page.after()).bind("before", page.before()).bind("limit", page.limit() + 1)
                        .mapTo(String.class).list())
                .stream().map(Documents::parse).toList();
    }

    /** The seq of a cursor object; when it is not the owner's, seq itself, so that the page comes out empty. */
    private String cursor(String name) {
        return " coalesce((select seq from " + table + " where id = :" + name + " and owner = :owner), seq)";
    }

    /** The API's list envelope for one page; {@code rows} may hold one row more than the page, meaning more exist. */
    static ObjectNode listBody(List<ObjectNode> rows, Page page) {
        List<ObjectNode> shown = rows.size() > page.limit() ? rows.subList(0, page.limit()) : rows;
        ObjectNode body = Json.object().put("object", "list");
        var data = body.putArray("data");
        shown.forEach(data::add);
        body.put("first_id", shown.isEmpty() ? null : shown.get(0).get("id").asText());
        body.put("last_id", shown.isEmpty() ? null : shown.get(shown.size() - 1).get("id").asText());
        body.put("has_more", rows.size() > page.limit());
        return body;
    }

    private static ObjectNode parse(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
