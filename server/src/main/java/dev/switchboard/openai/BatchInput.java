package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.upstream.UpstreamResponse;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.RequestBodies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The lines of a batch's input file, judged as the requests they will become before the batch is created. OpenAI runs
 * each line with the gateway's key and no request through the gateway, so each is held to what the creating key could
 * send itself: its {@code url} must be an endpoint the gateway forwards ({@link RefusedPaths}, not one of the
 * gateway's own families) and the key may use; its {@code body.model} one of the key's models; and every object it
 * names ({@code previous_response_id}, {@code file_id}, {@code vector_store_ids}, …) its owner's, judged by the same
 * rule table as a request POSTed to that url ({@link ApiOwnership#check}).
 *
 * <p>The file is read from upstream with the server's key (it is the caller's: admission checked
 * {@code input_file_id}), line by line, never whole: a line may be at most {@code SWITCHBOARD_MAX_BODY_BYTES}, as a
 * request through the gateway may, and a file at most {@link #MAX_LINES} lines, OpenAI's own limit. The first line
 * refused refuses the batch with a 400 {@code invalid_batch_line} that names the line and what is wrong; nothing is
 * forwarded.
 */
final class BatchInput {
    static final String INVALID_LINE = "invalid_batch_line";
    /** OpenAI's limit on the requests of one batch. */
    static final int MAX_LINES = 50_000;

    private final UpstreamClient upstream;
    private final ApiOwnership ownership;
    private final long maxLineBytes;

    BatchInput(UpstreamClient upstream, ApiOwnership ownership, long maxLineBytes) {
        this.upstream = upstream;
        this.ownership = ownership;
        this.maxLineBytes = maxLineBytes;
    }

    /** Reads the input file {@code fileId} and judges each of its lines for the admitted request; 400 at the first refused. */
    void check(Admitted admitted, String fileId) {
        UpstreamResponse response = upstream.send(new UpstreamRequest("GET", "/files/" + fileId + "/content", null, null,
                Map.of(), admitted.requestId()));
        try (response) {
            if (response.status() >= 400) throw upstreamRefusal(response);
            InputStream in = new java.io.BufferedInputStream(response.body(), 64 * 1024);
            int number = 0;
            byte[] line;
            while ((line = nextLine(in, number + 1, fileId)) != null) {
                number++;
                if (number > MAX_LINES) {
                    throw refused(number, null, "The input file " + fileId + " has more than " + MAX_LINES
                            + " requests, OpenAI's limit for one batch.");
                }
                if (!isBlank(line)) checkLine(admitted, number, line);
            }
        } catch (IOException broke) {
            throw response.timedOut() ? GatewayException.upstreamTimeout("reading the batch's input file stalled")
                    : GatewayException.upstreamUnreachable("the connection broke while reading the batch's input file");
        }
    }

    private void checkLine(Admitted admitted, int number, byte[] raw) {
        JsonNode line;
        try {
            line = RequestBodies.parseRelayed(raw).json();
        } catch (GatewayException notJson) {
            throw refused(number, notJson.param(), "This line is not a valid request: " + notJson.getMessage());
        }
        JsonNode url = line.get("url");
        if (url == null || !url.isTextual() || !url.asText().startsWith("/v1/") || url.asText().contains("?")) {
            throw refused(number, "url", "'url' must be the path of an OpenAI endpoint, such as /v1/chat/completions.");
        }
        String path;
        try {
            path = "/v1" + ApiPaths.upstreamPath(url.asText());
        } catch (GatewayException invalid) {
            throw refused(number, "url", invalid.getMessage());
        }
        if (ApiPaths.isOwn(path)) {
            throw refused(number, "url", "The gateway does not forward " + path + " to OpenAI, so a batch cannot run it.");
        }
        RefusedPaths.refusal(path).ifPresent(refusal -> {
            throw refused(number, "url", refusal.getMessage());
        });
        JsonNode body = line.get("body");
        JsonNode json = body != null && body.isObject() ? body : null;
        try {
            admitted.requireEndpoint(path);
        } catch (GatewayException notAllowed) {
            throw refused(number, "url", notAllowed.getMessage());
        }
        JsonNode model = json == null ? null : json.get("model");
        if (model != null && model.isTextual()) {
            try {
                admitted.requireModel(model.asText());
            } catch (GatewayException notAllowed) {
                throw refused(number, "body.model", notAllowed.getMessage());
            }
        }
        try {
            ownership.check(admitted.owner(), "POST", path, json);
        } catch (GatewayException notOwned) {
            throw refused(number, notOwned.param() == null ? "body" : "body." + notOwned.param(), notOwned.getMessage());
        }
    }

    /**
     * The next line's bytes without its end ({@code \n}, or {@code \r\n}); null at the end of the file. A line longer
     * than the limit refuses the batch as soon as it is seen, so no line is ever held whole past it.
     */
    private byte[] nextLine(InputStream in, int number, String fileId) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') break;
            if (line.size() >= maxLineBytes) {
                throw refused(number, null, "This line of " + fileId + " is longer than " + maxLineBytes
                        + " bytes, the largest request the gateway forwards.");
            }
            line.write(b);
        }
        if (!any) return null;
        byte[] bytes = line.toByteArray();
        if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') return java.util.Arrays.copyOf(bytes, bytes.length - 1);
        return bytes;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }

    /** The batch's refusal: OpenAI's batch error (a line, a param, a message), as the 400 that creating it gets. */
    static GatewayException refused(int line, String param, String message) {
        return new GatewayException(400, "invalid_request_error", INVALID_LINE, param,
                "Line " + line + " of the batch's input file: " + message);
    }

    /** Upstream's refusal to give the file's content (a file it does not have), passed on as a refusal of the batch. */
    private GatewayException upstreamRefusal(UpstreamResponse response) {
        byte[] body;
        try {
            body = response.body().readNBytes(64 * 1024);
        } catch (IOException e) {
            body = new byte[0];
        }
        return UpstreamErrors.asException(response.status(), body, response.header("Content-Type").orElse(null),
                upstream.apiKey(), "input_file_id");
    }
}
