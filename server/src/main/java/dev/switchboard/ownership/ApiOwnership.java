package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Which objects a request to OpenAI's API names and creates, for every path under /v1, known or not.
 *
 * <p>The signatures agreed in CONTRACT-ownership.md, without rules: the forwarding path is written against them,
 * and the implementation replaces this file when its branch is merged.
 */
public final class ApiOwnership {
    public ApiOwnership(OwnedObjects objects) {}

    public void check(String owner, String method, String path, JsonNode body) {}

    public void checkFormField(String owner, String method, String path, String field, String value) {}

    public void recordAnswer(String owner, String method, String path, JsonNode answer) {}

    public void recordEvent(String owner, String method, String path, JsonNode event) {}

    public Optional<OwnedListing> listing(String method, String path) {
        return Optional.empty();
    }
}
