package dev.switchboard.emulator.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.media.Faults;
import dev.switchboard.emulator.media.Params;
import dev.switchboard.emulator.media.Tokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/embeddings}: {@link Embedder}'s vectors at each model's real length (text-embedding-3-small 1536,
 * -3-large 3072, ada-002 1536), for a string, an array of strings, an array of token ids or an array of such arrays;
 * {@code dimensions} for the v3 models only (ada-002 refuses it, as upstream); {@code encoding_format} float or
 * base64 (little-endian float32, as OpenAI encodes it).
 */
public final class EmbeddingsApi {
    static final Map<String, Integer> DIMENSIONS = Map.of("text-embedding-3-small", 1536, "text-embedding-3-large", 3072,
            "text-embedding-ada-002", 1536);
    static final int MAX_INPUTS = 2048;
    static final int MAX_INPUT_TOKENS = 8192;
    static final int MAX_REQUEST_TOKENS = 300_000;
    private static final String INVALID_INPUT = "'$.input' is invalid. Please check the API reference: "
            + "https://platform.openai.com/docs/api-reference.";

    private final Faults faults;

    private EmbeddingsApi(Faults faults) {
        this.faults = faults;
    }

    public static void register(RoutesConfig routes, Faults faults) {
        routes.post("/v1/embeddings", new EmbeddingsApi(faults)::create);
    }

    /** One input: text, or token ids. */
    private record Input(String text, List<Integer> tokens) {
        int tokenCount() {
            return text != null ? Tokens.of(text) : tokens.size();
        }
    }

    void create(Context ctx) throws java.io.IOException {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        JsonNode modelNode = body.path("model");
        if (!modelNode.isMissingNode() && !modelNode.isTextual()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_type",
                    "Invalid type for 'model': expected a string, but got " + Params.typeName(modelNode) + " instead.", "model");
            return;
        }
        String model = Params.checkModel(ctx, modelNode.asText(""), DIMENSIONS.keySet(), faults);
        if (model == null) return;
        String base = model.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", "");
        int full = DIMENSIONS.getOrDefault(base, 1536); // a scripted model's vectors are as long as text-embedding-3-small's
        if (!body.has("input")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'input'.", "input");
            return;
        }
        List<Input> inputs = inputs(body.get("input"));
        if (inputs == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, INVALID_INPUT, null);
            return;
        }
        long total = inputs.stream().mapToLong(Input::tokenCount).sum();
        if (total > MAX_REQUEST_TOKENS) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "max_tokens_per_request", "Requested " + total
                    + " tokens, max " + MAX_REQUEST_TOKENS + " tokens per request", "input");
            return;
        }
        for (int i = 0; i < inputs.size(); i++) {
            int tokens = inputs.get(i).tokenCount();
            if (tokens > MAX_INPUT_TOKENS) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "context_length_exceeded", "Invalid 'input[" + i
                        + "]': maximum context length is " + MAX_INPUT_TOKENS + " tokens, however you requested " + tokens + " tokens.", "input");
                return;
            }
        }
        int dimensions = full;
        JsonNode requested = body.path("dimensions");
        if (!requested.isMissingNode() && !requested.isNull()) {
            if (base.equals("text-embedding-ada-002")) {
                ApiErrors.send(ctx, 400, "invalid_request_error", null, "This model does not support specifying dimensions.", null);
                return;
            }
            if (!requested.isIntegralNumber()) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_type",
                        "Invalid type for 'dimensions': expected an integer, but got " + Params.typeName(requested) + " instead.", "dimensions");
                return;
            }
            if (requested.asLong() < 1 || requested.asLong() > full) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value for 'dimensions' = "
                        + requested.asLong() + ". Must be between 1 and " + full + " for " + base + ".", "dimensions");
                return;
            }
            dimensions = requested.asInt();
        }
        JsonNode encodingNode = body.path("encoding_format");
        String encoding = encodingNode.isMissingNode() || encodingNode.isNull() ? "float" : encodingNode.asText("");
        if (!encodingNode.isMissingNode() && !encodingNode.isNull() && !encodingNode.isTextual()
                || !encoding.equals("float") && !encoding.equals("base64")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value: '"
                    + Params.printable(encodingNode.isTextual() ? encoding : encodingNode.toString())
                    + "'. Supported values are: 'float' and 'base64'.", "encoding_format");
            return;
        }
        ArrayNode data = Json.arr();
        int promptTokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Input input = inputs.get(i);
            promptTokens += input.tokenCount();
            float[] vector = input.text() != null ? Embedder.embed(input.text(), full, dimensions)
                    : Embedder.embed(input.tokens(), full, dimensions);
            var item = Json.obj("object", "embedding", "index", i);
            if (encoding.equals("base64")) {
                item.put("embedding", base64(vector));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vector) values.add(v);
            }
            data.add(item);
        }
        ctx.contentType("application/json").result(Json.write(Json.obj("object", "list", "data", data, "model", model,
                "usage", Json.obj("prompt_tokens", promptTokens, "total_tokens", promptTokens))));
    }

    /** The inputs, or null when {@code input} is none of the four shapes OpenAI takes (or holds an empty one). */
    private static List<Input> inputs(JsonNode input) {
        List<Input> out = new ArrayList<>();
        if (input.isTextual()) {
            if (input.asText().isEmpty()) return null;
            out.add(new Input(input.asText(), null));
            return out;
        }
        if (!input.isArray() || input.isEmpty() || input.size() > MAX_INPUTS) return null;
        if (input.get(0).isIntegralNumber()) {
            List<Integer> tokens = tokens(input);
            if (tokens == null) return null;
            out.add(new Input(null, tokens));
            return out;
        }
        for (JsonNode item : input) {
            if (item.isTextual() && !item.asText().isEmpty() && input.get(0).isTextual()) {
                out.add(new Input(item.asText(), null));
            } else if (item.isArray() && !item.isEmpty() && input.get(0).isArray()) {
                List<Integer> tokens = tokens(item);
                if (tokens == null) return null;
                out.add(new Input(null, tokens));
            } else {
                return null;
            }
        }
        return out;
    }

    private static List<Integer> tokens(JsonNode array) {
        List<Integer> tokens = new ArrayList<>();
        for (JsonNode token : array) {
            if (!token.isIntegralNumber() || !token.canConvertToInt() || token.asInt() < 0) return null;
            tokens.add(token.asInt());
        }
        return tokens;
    }

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) bytes.putFloat(v);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
