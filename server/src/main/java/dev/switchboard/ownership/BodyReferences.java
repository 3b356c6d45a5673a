package dev.switchboard.ownership;

import static dev.switchboard.ownership.ApiKinds.CONTAINER;
import static dev.switchboard.ownership.ApiKinds.CONVERSATION;
import static dev.switchboard.ownership.ApiKinds.FILE;
import static dev.switchboard.ownership.ApiKinds.ITEM;
import static dev.switchboard.ownership.ApiKinds.RESPONSE;
import static dev.switchboard.ownership.ApiKinds.SKILL;
import static dev.switchboard.ownership.ApiKinds.VECTOR_STORE;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.GatewayException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The rule table for bodies: which JSON fields name which kind of object, wherever they sit (a file_search tool's
 * {@code vector_store_ids}, an input item's {@code file_id}, an attachment's), and how an id there that is not the
 * caller's owner's is answered. A field holds one id, a list of them, or an object with its {@code id}
 * ({@code "conversation": {"id": "conv_…"}}); other shapes are left to OpenAI to judge.
 *
 * <p>Some subtrees hold the client's own words, not references, and are not read: {@code metadata} and vector store
 * file {@code attributes} (free keys), JSON schemas ({@code schema}, {@code parameters}: a property may well be called
 * {@code file_id}), and {@code annotations} (citations of earlier answers, echoed back when a client sends output
 * items as input; they give no access to what they cite).
 */
final class BodyReferences {
    /** Ids are looked up and echoed in refusals: id characters only, and no megabyte ids. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");
    /** The top-level lists of items: a response's {@code input}, a conversation's new {@code items}. */
    private static final List<String> ITEM_LISTS = List.of("input", "items");
    private static final Set<String> NOT_REFERENCES = Set.of("metadata", "attributes", "schema", "parameters",
            "input_schema", "annotations");

    /** A field that names objects: its kind, and whether it counts only at the top of the body. */
    record Field(ApiKind kind, boolean topLevelOnly, ApiKind.Refusal refusal) {
        Field(ApiKind kind, boolean topLevelOnly) {
            this(kind, topLevelOnly, kind.refusal());
        }
    }

    /** {@code previous_response_id} is refused as OpenAI refuses an unknown one: 400, not 404. */
    static final ApiKind.Refusal PREVIOUS_RESPONSE_NOT_FOUND = (id, param) -> new GatewayException(400,
            "invalid_request_error", "previous_response_not_found", "previous_response_id",
            "Previous response with id '" + id + "' not found.");

    static final Map<String, Field> FIELDS = Map.ofEntries(
            Map.entry("file_id", new Field(FILE, false)),
            Map.entry("file_ids", new Field(FILE, false)),
            Map.entry("input_file_id", new Field(FILE, false)),
            Map.entry("training_file", new Field(FILE, false)),
            Map.entry("validation_file", new Field(FILE, false)),
            Map.entry("vector_store_id", new Field(VECTOR_STORE, false)),
            Map.entry("vector_store_ids", new Field(VECTOR_STORE, false)),
            // A code interpreter tool's container: an id, or {"type": "auto", ...} (read on for its file_ids).
            Map.entry("container", new Field(CONTAINER, false)),
            // A skill_reference in a tool's environment: {"type": "skill_reference", "skill_id": "…"}.
            Map.entry("skill_id", new Field(SKILL, false)),
            Map.entry("previous_response_id", new Field(RESPONSE, true, PREVIOUS_RESPONSE_NOT_FOUND)),
            Map.entry("conversation", new Field(CONVERSATION, true)));

    /** A reference found in a body: the id, its kind, the field, and how it is refused. */
    record Reference(ApiKind kind, String id, String field, ApiKind.Refusal refusal) {
        GatewayException unknown() {
            return refusal.unknown(id, field);
        }
    }

    private BodyReferences() {}

    /** Every reference {@code body} makes, checked to be an id (400 naming the field otherwise). */
    static void visit(JsonNode body, Consumer<Reference> each) {
        if (body == null || !body.isContainerNode()) return;
        // Iterative: a hostile body may nest as deep as the parser allowed.
        Deque<JsonNode> pending = new ArrayDeque<>();
        Deque<Boolean> topLevel = new ArrayDeque<>();
        pending.push(body);
        topLevel.push(true);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            boolean top = topLevel.pop();
            if (node.isArray()) {
                for (JsonNode element : node) {
                    if (element.isContainerNode()) {
                        pending.push(element);
                        topLevel.push(false);
                    }
                }
                continue;
            }
            // An item referenced by id puts that item's content into the request: {"type": "item_reference", "id"}, or
            // in a Responses input or a conversation's new items, an object that is nothing but an id (the type's default).
            if ("item_reference".equals(node.path("type").asText(null)) && node.path("id").isTextual()) {
                each.accept(reference(new Field(ITEM, false), "id", node.get("id").asText()));
            }
            if (top) {
                for (String list : ITEM_LISTS) {
                    for (JsonNode element : node.path(list)) {
                        if (element.isObject() && element.path("id").isTextual() && !element.has("type")
                                && !element.has("role") && !element.has("content")) {
                            each.accept(reference(new Field(ITEM, false), list, element.get("id").asText()));
                        }
                    }
                }
            }
            // An evals data source names its file as {"type": "file_id", "id": "file-…"}.
            if ("file_id".equals(node.path("type").asText(null)) && node.path("id").isTextual()) {
                each.accept(reference(new Field(FILE, false), "id", node.get("id").asText()));
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = fields.next();
                String name = entry.getKey();
                JsonNode value = entry.getValue();
                if (NOT_REFERENCES.contains(name)) continue;
                Field field = FIELDS.get(name);
                if (field != null && (top || !field.topLevelOnly())) {
                    named(field, name, value, each);
                }
                if (value.isContainerNode()) {
                    pending.push(value);
                    topLevel.push(false);
                }
            }
        }
    }

    /**
     * A multipart form's text field, read as the JSON field its name stands for, in the brackets the SDKs write for
     * nested values: {@code file_ids[]} and {@code file_ids[0]} as {@code file_ids}, {@code tools[0][vector_store_ids][]}
     * as a {@code vector_store_ids} below the top, as a JSON body's would be read wherever it sits.
     */
    static void visitFormField(String name, String value, Consumer<Reference> each) {
        if (value == null || value.isEmpty()) return;
        String bare = null;
        int names = 0;
        for (String part : name.split("\\[", -1)) {
            String key = part.endsWith("]") ? part.substring(0, part.length() - 1) : part;
            if (key.isEmpty() || key.chars().allMatch(Character::isDigit)) continue;
            bare = key;
            names++;
        }
        if (bare == null) return;
        Field field = FIELDS.get(bare);
        if (field != null && (names == 1 || !field.topLevelOnly())) each.accept(reference(field, bare, value));
    }

    private static void named(Field field, String name, JsonNode value, Consumer<Reference> each) {
        if (value.isTextual()) {
            each.accept(reference(field, name, value.asText()));
        } else if (value.isArray()) {
            for (JsonNode element : value) {
                if (element.isTextual()) each.accept(reference(field, name, element.asText()));
            }
        } else if (value.isObject() && value.path("id").isTextual()) {
            each.accept(reference(field, name, value.get("id").asText()));
        }
    }

    private static Reference reference(Field field, String name, String id) {
        if (!ID.matcher(id).matches()) {
            throw GatewayException.invalidParam(name, "'" + name + "' is not a valid id: use letters, digits, '_' and '-'.");
        }
        return new Reference(field.kind(), id, name, field.refusal());
    }
}
