package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.Function;

/** A list endpoint answered with the owner's objects only, with OpenAI's paging kept. */
public interface OwnedListing {
    JsonNode page(String owner, Map<String, String> clientQuery, Function<String, JsonNode> upstreamPage);
}
