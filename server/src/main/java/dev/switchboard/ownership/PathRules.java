package dev.switchboard.ownership;

import static dev.switchboard.ownership.ApiKinds.BATCH;
import static dev.switchboard.ownership.ApiKinds.CHATKIT_SESSION;
import static dev.switchboard.ownership.ApiKinds.CHATKIT_THREAD;
import static dev.switchboard.ownership.ApiKinds.CHAT_COMPLETION;
import static dev.switchboard.ownership.ApiKinds.CONTAINER;
import static dev.switchboard.ownership.ApiKinds.CONVERSATION;
import static dev.switchboard.ownership.ApiKinds.EVAL;
import static dev.switchboard.ownership.ApiKinds.FILE;
import static dev.switchboard.ownership.ApiKinds.FINE_TUNING_JOB;
import static dev.switchboard.ownership.ApiKinds.MODEL;
import static dev.switchboard.ownership.ApiKinds.REALTIME_CALL;
import static dev.switchboard.ownership.ApiKinds.RESPONSE;
import static dev.switchboard.ownership.ApiKinds.SKILL;
import static dev.switchboard.ownership.ApiKinds.UPLOAD;
import static dev.switchboard.ownership.ApiKinds.VECTOR_STORE;
import static dev.switchboard.ownership.ApiKinds.VIDEO;
import static dev.switchboard.ownership.ApiKinds.VIDEO_CHARACTER;
import static dev.switchboard.ownership.ApiKinds.VOICE_CONSENT;

import dev.switchboard.web.GatewayException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rule table for paths: which segment of which path names which kind of object, written as OpenAI's path
 * templates. A template's {@code {kind}} segment names an object of that kind; {@code {parent}} names an object
 * reached only through the one before it in the path (a conversation's items, a vector store's file batches), whose
 * owner is that one's. Paths below an {@link #excluded} prefix are left alone, for the reason given.
 *
 * <p>Beyond the table (an endpoint the gateway does not know, or a new word below a known one), a segment is judged
 * by its shape: an id with a known kind's prefix is of that kind, and one that merely looks like an OpenAI id is an
 * {@link ApiKinds#OBJECT}. Both must be the caller's owner's, so an unknown endpoint cannot reach another owner's
 * objects either.
 */
final class PathRules {
    /** Ids go into upstream paths: only id characters, no slashes, dots or escapes. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");
    /** Model names may hold dots and colons ({@code ft:gpt-4o-mini:org::id}), never slashes. */
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,200}");

    /** The names a template's id segments use; declared before the table, which is built from them. */
    private static final Map<String, Slot> SLOTS = slots();

    static final PathRules TABLE = new PathRules()
            .literals("/responses/{response}/cancel", "/responses/{response}/input_items", "/responses/compact")
            .creatingNothing("/responses/input_tokens")
            .template("/conversations/{conversation}/items/{parent}")
            .template("/chat/completions/{chat_completion}/messages")
            .template("/files/{file}/content")
            .literals("/uploads/{upload}/parts", "/uploads/{upload}/complete", "/uploads/{upload}/cancel")
            .template("/batches/{batch}/cancel")
            // A vector store holds only files its owner added, each checked then: its files are reached through it.
            .creatingNothing("/vector_stores/{vector_store}/search")
            .literals("/vector_stores/{vector_store}/files/{parent}/content",
                    "/vector_stores/{vector_store}/file_batches/{parent}/files",
                    "/vector_stores/{vector_store}/file_batches/{parent}/cancel")
            .literals("/fine_tuning/jobs/{fine_tuning_job}/checkpoints", "/fine_tuning/jobs/{fine_tuning_job}/events",
                    "/fine_tuning/jobs/{fine_tuning_job}/cancel", "/fine_tuning/jobs/{fine_tuning_job}/pause",
                    "/fine_tuning/jobs/{fine_tuning_job}/resume")
            .creatingNothing("/fine_tuning/alpha/graders/run", "/fine_tuning/alpha/graders/validate")
            .template("/containers/{container}/files/{parent}/content")
            .template("/evals/{eval}/runs/{parent}/output_items/{parent}")
            .literals("/videos/{video}/content", "/videos/{video}/remix", "/videos/characters/{video_character}",
                    "/videos/edits", "/videos/extensions")
            .literals("/skills/{skill}/content", "/skills/{skill}/versions/{parent}/content")
            .template("/audio/voice_consents/{voice_consent}")
            .creatingNothing("/audio/speech", "/audio/transcriptions", "/audio/translations")
            .literals("/audio/voices")
            .literals("/realtime/calls/{realtime_call}/accept", "/realtime/calls/{realtime_call}/hangup",
                    "/realtime/calls/{realtime_call}/refer", "/realtime/calls/{realtime_call}/reject")
            // Ephemeral keys and sessions: used once by the client that asked, never named again through the gateway.
            .creatingNothing("/realtime/client_secrets", "/realtime/sessions", "/realtime/transcription_sessions",
                    "/realtime/translations/client_secrets")
            .literals("/chatkit/sessions/{chatkit_session}/cancel", "/chatkit/threads/{chatkit_thread}/items")
            .template("/models/{model}")
            .creatingNothing("/embeddings", "/moderations", "/completions", "/images/generations", "/images/edits",
                    "/images/variations", "/content_provenance_checks")
            .excluded("/assistants", "answered by the gateway's own Assistants routes, which keep owners in their tables")
            .excluded("/threads", "answered by the gateway's own Assistants routes, which keep owners in their tables")
            .excluded("/organization", "OpenAI's administration API: it takes an admin key, which the gateway does not hold")
            .excluded("/projects", "OpenAI's administration API: it takes an admin key, which the gateway does not hold")
            .excluded("/fine_tuning/checkpoints", "checkpoint permissions are administration: they take an admin key");

    /** What an id segment names. */
    sealed interface Slot {}

    /** An object of {@code kind}; checked for every method, or, with {@code deleteOnly}, only when deleting. */
    record Owned(ApiKind kind, boolean deleteOnly) implements Slot {}

    /** An object reached only through the object before it in the path, whose owner is its owner. */
    record ThroughParent() implements Slot {}

    /** An id in a request's path that must be the caller's owner's. */
    record Named(ApiKind kind, String id) {}

    /**
     * Where a path leads.
     *
     * @param named      the ids it names that must be the caller's owner's
     * @param known      true when every segment was found in the table
     * @param excluded   the reason the table leaves this path alone, or null
     * @param collection the kind a POST here creates and a GET here lists (its last segment is a collection of
     *                   them), or null
     * @param createsNothing true where answers' ids name nothing that can be used again
     */
    record Walk(List<Named> named, boolean known, String excluded, ApiKind collection, boolean createsNothing) {}

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        Node idChild;
        Slot slot;
        String excluded;
        boolean createsNothing;
    }

    private final Node root = new Node();

    private static Map<String, Slot> slots() {
        Map<String, Slot> slots = new HashMap<>();
        for (ApiKind kind : List.of(RESPONSE, CONVERSATION, FILE, UPLOAD, BATCH, VECTOR_STORE, FINE_TUNING_JOB, CONTAINER,
                EVAL, VIDEO, CHAT_COMPLETION, SKILL, VIDEO_CHARACTER, VOICE_CONSENT, REALTIME_CALL, CHATKIT_SESSION,
                CHATKIT_THREAD)) {
            slots.put(kind.stored().name(), new Owned(kind, false));
        }
        slots.put(MODEL.stored().name(), new Owned(MODEL, true));
        slots.put("parent", new ThroughParent());
        return slots;
    }

    private PathRules template(String template) {
        Node node = root;
        for (String segment : segments(template)) {
            if (segment.startsWith("{")) {
                Slot slot = SLOTS.get(segment.substring(1, segment.length() - 1));
                if (slot == null) throw new IllegalArgumentException("no kind " + segment + " in " + template);
                if (node.idChild == null) {
                    node.idChild = new Node();
                    node.idChild.slot = slot;
                } else if (!node.idChild.slot.equals(slot)) {
                    throw new IllegalArgumentException("two kinds at one place: " + template);
                }
                node = node.idChild;
            } else {
                node = node.literals.computeIfAbsent(segment, s -> new Node());
            }
        }
        return this;
    }

    /** Several templates; a path's fixed words are listed so that none is ever taken for an id. */
    private PathRules literals(String... paths) {
        for (String path : paths) template(path);
        return this;
    }

    /** Paths whose answers' ids name nothing that can be used again ({@code modr-…}, {@code cmpl-…}): not recorded. */
    private PathRules creatingNothing(String... paths) {
        for (String path : paths) {
            template(path);
            Node node = root;
            for (String segment : segments(path)) node = segment.startsWith("{") ? node.idChild : node.literals.get(segment);
            node.createsNothing = true;
        }
        return this;
    }

    private PathRules excluded(String prefix, String reason) {
        template(prefix);
        Node node = root;
        for (String segment : segments(prefix)) node = node.literals.get(segment);
        node.excluded = reason;
        return this;
    }

    /** Where {@code path} (the client's, with or without {@code /v1}) leads for {@code method}. */
    Walk walk(String method, String path) {
        boolean deleting = "DELETE".equalsIgnoreCase(method);
        List<Named> named = new ArrayList<>();
        Node node = root;
        boolean known = true;
        for (String segment : segments(path)) {
            if (known) {
                if (node.excluded != null) return new Walk(List.of(), true, node.excluded, null, true);
                Node literal = node.literals.get(segment);
                // A path word in capitals is the same word: judged as upstream might route it (GET /v1/FILES is
                // still a list of files, to be filtered). No OpenAI id is a lower-case word, so none is taken for one.
                if (literal == null) literal = node.literals.get(segment.toLowerCase(Locale.ROOT));
                if (literal != null) {
                    node = literal;
                    continue;
                }
                if (node.idChild != null) {
                    node = node.idChild;
                    if (node.slot instanceof Owned(ApiKind kind, boolean deleteOnly) && (deleting || !deleteOnly)) {
                        named.add(new Named(kind, checkedId(kind, segment)));
                    }
                    continue;
                }
                known = false;
            }
            ApiKind kind = ApiKinds.recognised(segment);
            if (kind != null) named.add(new Named(kind, checkedId(kind, segment)));
        }
        if (known && node.excluded != null) return new Walk(List.of(), true, node.excluded, null, true);
        ApiKind collection = known && node.idChild != null && node.idChild.slot instanceof Owned(ApiKind kind, boolean d)
                && !d ? kind : null;
        return new Walk(List.copyOf(named), known, null, collection, known && node.createsNothing);
    }

    /**
     * How the table reads one of the spec's path templates ({@code /files/{file_id}/content}): the kinds its
     * parameters name, such as {@code /files/{file}/content}, or why it leaves them alone. Throws when a parameter
     * falls outside the table, or a fixed word would be taken for an id.
     */
    String classify(String template) {
        StringBuilder read = new StringBuilder();
        Node node = root;
        for (String segment : segments(template)) {
            if (node.excluded != null) return "excluded: " + node.excluded;
            boolean parameter = segment.startsWith("{");
            if (!parameter) {
                Node literal = node.literals.get(segment);
                if (literal == null && node.idChild != null) {
                    throw new IllegalArgumentException(template + ": '" + segment + "' would be taken for an id");
                }
                if (literal == null) {
                    throw new IllegalArgumentException(template + ": '" + segment + "' is not in the table");
                }
                node = literal;
                read.append('/').append(segment);
            } else {
                if (node.idChild == null) throw new IllegalArgumentException(template + ": " + segment + " names no kind");
                node = node.idChild;
                read.append("/{").append(switch (node.slot) {
                    case Owned(ApiKind kind, boolean deleteOnly) -> kind.stored().name() + (deleteOnly ? " when deleting" : "");
                    case ThroughParent p -> "parent";
                }).append('}');
            }
        }
        return node.excluded != null ? "excluded: " + node.excluded : read.toString();
    }

    private static String decoded(String raw) {
        if (raw.indexOf('%') < 0) return raw;
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            throw unclearPath();
        }
    }

    private static GatewayException unclearPath() {
        return new GatewayException(400, "invalid_request_error", "invalid_path", null,
                "The request path holds a '.' or '..' segment, an escaped '/' or a malformed '%' escape. Send each "
                        + "id as itself.");
    }

    private static String checkedId(ApiKind kind, String segment) {
        if (!(kind == MODEL ? MODEL_ID : ID).matcher(segment).matches()) {
            throw GatewayException.invalidParam(kind.pathParam(), "'" + kind.pathParam()
                    + "' is not a valid id: use letters, digits, '_' and '-'.");
        }
        return segment;
    }

    /**
     * A path's segments below {@code /v1}, without its query, each as OpenAI reads it: percent-escapes decoded (the
     * SDKs send {@code ft%3Agpt-4o…}), so that an escaped id is judged as the id it is. A segment that decodes to a
     * slash, or is {@code .} or {@code ..}, could reach another path than the one judged: refused.
     */
    static List<String> segments(String path) {
        int query = path.indexOf('?');
        String bare = query < 0 ? path : path.substring(0, query);
        List<String> segments = new ArrayList<>();
        for (String raw : bare.split("/")) {
            if (raw.isEmpty()) continue;
            String segment = decoded(raw);
            if (segment.equals(".") || segment.equals("..") || segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0) {
                throw unclearPath();
            }
            segments.add(segment);
        }
        if (!segments.isEmpty() && segments.getFirst().equals("v1")) segments.removeFirst();
        return segments;
    }
}
