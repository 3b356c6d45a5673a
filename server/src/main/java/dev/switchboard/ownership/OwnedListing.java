package dev.switchboard.ownership;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.Function;

/** A list endpoint answered with the owner's objects only, with OpenAI's paging kept. */
public interface OwnedListing {
    /**
     * The owner's page: reads as many upstream pages as needed through {@code upstreamPage} (a query string → the
     * upstream's JSON list page; it throws GatewayException for an upstream error, which propagates), and answers
     * OpenAI's list shape with the client's limit/after/before/order honoured and has_more/first_id/last_id true.
     */
    JsonNode page(String owner, Map<String, String> clientQuery, Function<String, JsonNode> upstreamPage);
}
