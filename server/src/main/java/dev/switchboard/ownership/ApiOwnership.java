package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which objects a request to OpenAI's API names and creates, for every path under /v1, known or not. The gateway
 * holds one OpenAI key for all its owners, so it decides whose each object is: the owner whose key created it here.
 * Three rule tables say where ids are: {@link PathRules} (path segments, by OpenAI's path templates, and by id shape
 * beyond them), {@link BodyReferences} (JSON fields wherever they sit) and {@link AnswerRecords} (ids an answer hands
 * on). An id that is not the caller's owner's, including one the gateway never saw created, is answered as OpenAI
 * answers an unknown id of its kind, so that the two cannot be told apart.
 *
 * <p>Use, for a request forwarded to OpenAI: {@link #check} (and {@link #checkFormField} for a multipart body's text
 * fields) before forwarding; {@link #listing} for a GET, whose answer is then the listing's; {@link #recordAnswer}
 * with a 2xx JSON answer and {@link #recordEvent} with each event of a streamed one, before the client sees them.
 * Admin keys have no part in this: they administer the gateway, not the objects owners keep at OpenAI.
 */
public final class ApiOwnership {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");

    private final OwnedObjects objects;

    public ApiOwnership(OwnedObjects objects) {
        this.objects = objects;
    }

    /**
     * Before forwarding: throws GatewayException (the answer OpenAI gives for an unknown object: 404 for a path id,
     * what OpenAI answers for a body field, e.g. 400 previous_response_not_found) when the request names an object,
     * in its path or in its JSON body's fields, that is not {@code owner}'s. {@code path} is the client's path with
     * /v1, e.g. "/v1/files/file-abc/content"; {@code body} is the parsed JSON body or null (no body, multipart, binary).
     */
    public void check(String owner, String method, String path, JsonNode body) {
        PathRules.Walk walk = PathRules.TABLE.walk(method, path);
        if (walk.excluded() != null) return;
        for (PathRules.Named named : walk.named()) {
            if (!owns(owner, named.kind(), named.id())) throw named.kind().unknown(named.id(), null);
        }
        List<BodyReferences.Reference> references = new ArrayList<>();
        BodyReferences.visit(body, references::add);
        if (references.isEmpty()) return;
        // One lookup per kind, however many ids a body lists (a vector store's file_ids may be thousands).
        Map<ApiKind, Set<String>> owned = new HashMap<>();
        Map<ApiKind, Set<String>> named = new LinkedHashMap<>();
        references.forEach(r -> named.computeIfAbsent(r.kind(), k -> new LinkedHashSet<>()).add(r.id()));
        named.forEach((kind, ids) -> owned.put(kind, objects.ownedAmong(owner, kind.stored(), ids)));
        for (BodyReferences.Reference reference : references) {
            if (!owned.get(reference.kind()).contains(reference.id())) throw reference.unknown();
        }
    }

    /** Multipart bodies: the form's text fields (name → value) that may name objects, checked as body fields. */
    public void checkFormField(String owner, String method, String path, String field, String value) {
        if (PathRules.TABLE.walk(method, path).excluded() != null) return;
        BodyReferences.visitFormField(field, value, reference -> {
            if (!owns(owner, reference.kind(), reference.id())) throw reference.unknown();
        });
    }

    /** After a 2xx JSON answer: records with {@code owner} the objects it created (before the client sees them). */
    public void recordAnswer(String owner, String method, String path, JsonNode answer) {
        if (answer == null || !answer.isObject()) return;
        PathRules.Walk walk = PathRules.TABLE.walk(method, path);
        if (walk.excluded() != null) return;
        if ("POST".equalsIgnoreCase(method)) recordCreated(owner, walk, answer.get("id"));
        // A filtered list records its items' own (see listing); a list of others' objects hands on nothing.
        if (walk.known() && !isListing(method, walk)) recordDerived(owner, answer);
    }

    /** For a streamed answer: each event's JSON, so ids created in a stream (response.created, ...) are recorded. */
    public void recordEvent(String owner, String method, String path, JsonNode event) {
        if (event == null || !event.isObject()) return;
        PathRules.Walk walk = PathRules.TABLE.walk(method, path);
        if (walk.excluded() != null) return;
        boolean posted = "POST".equalsIgnoreCase(method);
        String type = event.path("type").asText("");
        if ("chat.completion.chunk".equals(event.path("object").asText())) {
            if (posted) recordCreated(owner, walk, event.get("id"));
            return;
        }
        // {"type": "response.created", "response": {...}}: the object created is the event's one object with an id.
        if (posted && type.endsWith(".created")) {
            for (JsonNode child : event) {
                if (child.isObject() && child.has("id")) {
                    recordCreated(owner, walk, child.get("id"));
                    break;
                }
            }
        }
        if (!walk.known()) return;
        if (type.startsWith("response.output_item.")) AnswerRecords.item(event.path("item"), (kind, id) -> record(owner, kind, id));
        else if (type.equals("response.completed") || type.equals("response.incomplete")) recordDerived(owner, event.path("response"));
    }

    /** A GET of a list whose items must be filtered to the owner's; empty for anything else. */
    public Optional<OwnedListing> listing(String method, String path) {
        PathRules.Walk walk = PathRules.TABLE.walk(method, path);
        return isListing(method, walk) ? Optional.of(new FilteredListing(walk.collection(), objects)) : Optional.empty();
    }

    /**
     * A list of a kind, not reached through an object of the caller's: {@code GET /v1/files}, not
     * {@code GET /v1/vector_stores/vs_1/files} (the vector store is the caller's, so all its files are).
     */
    private static boolean isListing(String method, PathRules.Walk walk) {
        return "GET".equalsIgnoreCase(method) && walk.excluded() == null && walk.collection() != null
                && walk.named().isEmpty();
    }

    /**
     * A POST's answer id: of the collection's kind when the path ends at one ({@code POST /v1/files}); else, when it
     * looks like an OpenAI id, of its prefix's kind ({@code POST /v1/videos/video_1/remix} makes a video) or an
     * {@code object} (a new endpoint's, or {@code POST /v1/audio/voices}). A path whose answers' ids name nothing
     * that can be used again (moderations, embeddings, completions) records nothing. An id recorded already keeps
     * its first owner.
     */
    private void recordCreated(String owner, PathRules.Walk walk, JsonNode idNode) {
        if (walk.createsNothing() || idNode == null || !idNode.isTextual() || !ID.matcher(idNode.asText()).matches()) return;
        String id = idNode.asText();
        ApiKind kind = walk.collection() != null ? walk.collection() : ApiKinds.recognised(id);
        if (kind != null) record(owner, kind, id);
    }

    private void recordDerived(String owner, JsonNode answer) {
        AnswerRecords.derived(answer, (kind, id) -> record(owner, kind, id));
    }

    private void record(String owner, ApiKind kind, String id) {
        objects.record(kind.stored(), id, owner);
    }

    private boolean owns(String owner, ApiKind kind, String id) {
        return objects.owns(owner, kind.stored(), id);
    }
}
