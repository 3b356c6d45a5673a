package dev.switchboard.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.Caller;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.upstream.RecordedCall;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reads the text of a document with the configured vision model: the gateway's own signed URLs are read from its
 * database, other URLs fetched through the {@link DocumentFetcher}; images go as they are, PDF pages as rendered
 * images, to the Responses API as {@code input_image}. Each call is one upstream exchange, so it is accounted for
 * and in the debug log like any other.
 */
public final class VisionOcr {
    private final DocumentStore store;
    private final SignedUrls signedUrls;
    private final DocumentFetcher fetcher;
    private final UpstreamClient upstream;
    private final ExchangeListener listener;
    private final String model;

    VisionOcr(DocumentStore store, SignedUrls signedUrls, DocumentFetcher fetcher, UpstreamClient upstream,
              ExchangeListener listener, String model) {
        this.store = store;
        this.signedUrls = signedUrls;
        this.fetcher = fetcher;
        this.upstream = upstream;
        this.listener = listener;
        this.model = model;
    }

    /** The document's text. @throws DocumentRefused when the URL or the document is not accepted */
    public String read(Caller caller, String url, List<Integer> pages, String language) {
        // Refused before anything reads it: a NUL or a line break in a URL is never meant, and the URL is echoed
        // into the tool call's record and error (issue 15).
        if (url == null || url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new DocumentRefused("bad_url", "The URL contains a control character (such as NUL, CR or LF); "
                    + "send the document URL exactly as the gateway gave it.");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new DocumentRefused("bad_url", "Not a URL: " + url);
        }
        byte[] bytes;
        MediaType type;
        if (uri.getPath() != null && uri.getPath().startsWith(SignedUrls.PATH) && uri.getQuery() != null) {
            String id = uri.getPath().substring(SignedUrls.PATH.length());
            Map<String, String> query = query(uri.getRawQuery());
            signedUrls.verify(id, query.get("expires"), query.get("key"), query.get("signature"));
            DocumentStore.Stored stored = store.find(id).orElseThrow(() -> new DocumentRefused("not_found", "No document " + id + "."));
            bytes = stored.bytes();
            type = stored.type();
        } else {
            DocumentFetcher.Fetched fetched = fetcher.fetch(uri);
            bytes = fetched.bytes();
            type = fetched.type();
        }
        return ask(caller, PageImages.of(bytes, type, pages), language);
    }

    private String ask(Caller caller, List<String> images, String language) {
        ObjectNode request = Json.object().put("model", model);
        ArrayNode content = request.putArray("input").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "input_text").put("text", "Extract all the text in this document, in reading order. "
                + "Reply with the text only." + (language == null || language.isBlank() ? "" : " The document is in " + language + "."));
        for (String image : images) content.addObject().put("type", "input_image").put("image_url", image).put("detail", "high");
        request.put("store", false);
        String requestId = RequestIds.next();
        Exchange exchange = new Exchange(requestId, caller.keyId(), caller.keyName(), caller.owner(), "/v1/responses", model,
                false, listener);
        RecordedCall.Answer answer = RecordedCall.send(upstream, UpstreamRequest.postJson("/responses", request, requestId), exchange);
        if (!answer.ok()) throw new DocumentRefused("vision_failed", "The vision model refused: " + answer.errorMessage());
        StringBuilder text = new StringBuilder();
        for (JsonNode item : answer.json().path("output")) {
            for (JsonNode part : item.path("content")) if (part.path("type").asText().equals("output_text")) text.append(part.path("text").asText());
        }
        return text.toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new java.util.HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) params.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
