package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.GatewayException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where a request names an owned object: a path parameter, or a top-level body field holding the id as a string
 * or as {@code {"id": ...}} (the Responses API's {@code conversation} takes both). A reference the caller's owner
 * did not create is refused with {@link #unknown}, the answer OpenAI gives for an id it does not know, so that
 * another owner's object and a made-up id cannot be told apart.
 *
 * @param inPath  true for a path parameter, false for a body field
 * @param name    the parameter's or field's name
 * @param kind    what it names
 * @param unknown the refusal for an id that is not the caller's
 */
public record OwnedReference(boolean inPath, String name, OwnedKind kind, Function<String, GatewayException> unknown) {
    /** Ids go into upstream paths, so only id characters are allowed: no slashes, dots or escapes. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");

    /** The path parameter {@code param} names an object of {@code kind}. */
    public static OwnedReference path(String param, OwnedKind kind) {
        return new OwnedReference(true, param, kind, notFound(kind));
    }

    /** The body field {@code field} names an object of {@code kind}. */
    public static OwnedReference bodyField(String field, OwnedKind kind) {
        return new OwnedReference(false, field, kind, notFound(kind));
    }

    /** This reference, refused with the given answer instead of a 404 (OpenAI's own answer for that field). */
    public OwnedReference answering(Function<String, GatewayException> refusal) {
        return new OwnedReference(inPath, name, kind, refusal);
    }

    /** OpenAI's answer for an unknown id in a path: 404, "Response with id 'X' not found.". */
    static Function<String, GatewayException> notFound(OwnedKind kind) {
        return id -> GatewayException.notFoundAsOpenAi(kind.label() + " with id '" + id + "' not found.");
    }

    /** A path parameter's id, checked to be one; 400 otherwise. */
    String pathId(String value) {
        return checked(value);
    }

    /**
     * The id a body names in this field, checked like a path's (it is looked up, and echoed in refusals: no
     * megabyte ids); null when it names none (the upstream judges other shapes).
     */
    String bodyId(JsonNode body) {
        JsonNode value = body.get(name);
        if (value != null && value.isObject()) value = value.get("id");
        return value != null && value.isTextual() ? checked(value.asText()) : null;
    }

    private String checked(String value) {
        if (!ID.matcher(value).matches()) {
            throw GatewayException.invalidParam(name, "'" + name + "' is not a valid id: use letters, digits, '_' and '-'.");
        }
        return value;
    }
}
