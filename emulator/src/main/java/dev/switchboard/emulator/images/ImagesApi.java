package dev.switchboard.emulator.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.media.MultipartBody;
import dev.switchboard.emulator.media.Faults;
import dev.switchboard.emulator.media.Params;
import dev.switchboard.emulator.media.Tokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code POST /v1/images/generations} (JSON), {@code /v1/images/edits} (multipart, or JSON with image URLs and file
 * ids) and {@code /v1/images/variations} (multipart, dall-e-2): {@link ImagePainter}'s pictures, deterministic from
 * the prompt and input images, at the requested size. GPT image models answer {@code b64_json} with usage in tokens
 * and stream ({@code partial_images} previews, then the final image with usage); the dall-e models answer a
 * {@code url} (or {@code b64_json} when asked). {@code output_format} png and jpeg are written; webp is refused
 * with 400, since the JDK has no webp encoder and the emulator will not send another format under its name.
 */
public final class ImagesApi {
    /** Image tokens an input image counts for in an edit's usage. */
    static final int INPUT_IMAGE_TOKENS = 194;
    private static final Set<String> GENERATION_MODELS = union(ImageModel.GPT_MODELS, List.of("dall-e-2", "dall-e-3"));
    private static final Set<String> EDIT_MODELS = union(ImageModel.GPT_MODELS, List.of("dall-e-2"));
    private static final Set<String> VARIATION_MODELS = Set.of("dall-e-2");
    private static final Set<String> INTEGER_FIELDS = Set.of("n", "partial_images", "output_compression");
    private static final Set<String> BOOLEAN_FIELDS = Set.of("stream");

    private final ImageStore store = new ImageStore();
    private final Faults faults;

    private ImagesApi(Faults faults) {
        this.faults = faults;
    }

    private enum Kind { GENERATION, EDIT, VARIATION }

    public static void register(RoutesConfig routes, Faults faults) {
        ImagesApi api = new ImagesApi(faults);
        routes.post("/v1/images/generations", ctx -> api.create(ctx, Kind.GENERATION));
        routes.post("/v1/images/edits", ctx -> api.create(ctx, Kind.EDIT));
        routes.post("/v1/images/variations", ctx -> api.create(ctx, Kind.VARIATION));
        routes.get("/_emulator/images/{name}", api::serve);
    }

    private void serve(Context ctx) {
        String name = ctx.pathParam("name");
        var png = name.endsWith(".png") ? store.get(name.substring(0, name.length() - 4)) : java.util.Optional.<byte[]>empty();
        if (png.isEmpty()) {
            ctx.status(404).contentType("text/plain").result("This image has expired or never existed.");
            return;
        }
        ctx.contentType("image/png").result(png.get());
    }

    private void create(Context ctx, Kind kind) throws IOException {
        boolean multipart = String.valueOf(ctx.contentType()).toLowerCase().startsWith("multipart/");
        Function<String, JsonNode> field;
        MultipartBody form = null;
        JsonNode json = null;
        if (multipart) {
            form = MultipartBody.parse(ctx.contentType(), ctx.bodyAsBytes()).orElse(null);
            if (form == null) {
                ApiErrors.badRequest(ctx, "Invalid multipart/form-data body: the Content-Type header names no boundary.");
                return;
            }
            MultipartBody parts = form;
            field = name -> parts.field(name).map(value -> typed(name, value)).orElse(null);
        } else {
            if (kind == Kind.VARIATION) {
                ApiErrors.send(ctx, 400, "invalid_request_error", null, "Invalid Content-Type header ("
                        + Params.printable(String.valueOf(ctx.contentType())) + "), expected multipart/form-data.");
                return;
            }
            json = Requests.jsonBody(ctx);
            if (json == null) return;
            JsonNode body = json;
            field = name -> body.has(name) && !body.get(name).isNull() ? body.get(name) : null;
        }

        // The model
        JsonNode modelNode = field.apply("model");
        if (modelNode != null && !modelNode.isTextual()) {
            typeError(ctx, "model", "a string", modelNode);
            return;
        }
        String named = modelNode != null ? modelNode.asText() : switch (kind) {
            case GENERATION, VARIATION -> "dall-e-2";
            case EDIT -> "gpt-image-1.5";
        };
        Set<String> accepted = switch (kind) {
            case GENERATION -> GENERATION_MODELS;
            case EDIT -> EDIT_MODELS;
            case VARIATION -> VARIATION_MODELS;
        };
        String model = Params.checkModel(ctx, named, accepted, faults);
        if (model == null) return;
        ImageModel spec = ImageModel.of(model);

        // The prompt
        String prompt = "";
        if (kind != Kind.VARIATION) {
            JsonNode promptNode = field.apply("prompt");
            if (promptNode == null || promptNode.isTextual() && promptNode.asText().isEmpty()) {
                ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'prompt'.", "prompt");
                return;
            }
            if (!promptNode.isTextual()) {
                typeError(ctx, "prompt", "a string", promptNode);
                return;
            }
            prompt = promptNode.asText();
            if (prompt.length() > spec.maxPrompt()) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "string_above_max_length",
                        "Invalid 'prompt': string too long. Expected a string with maximum length " + spec.maxPrompt()
                                + ", but got a string with length " + prompt.length() + " instead.", "prompt");
                return;
            }
            if (prompt.indexOf('\0') >= 0) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                        "Invalid 'prompt': the string contains a null character (\\u0000).", "prompt");
                return;
            }
        }

        // n, size, quality, formats
        int n = 1;
        JsonNode nNode = field.apply("n");
        if (nNode != null) {
            if (!nNode.isIntegralNumber()) {
                typeError(ctx, "n", "an integer", nNode);
                return;
            }
            if (nNode.asLong() < 1 || nNode.asLong() > 10) {
                ApiErrors.send(ctx, 400, "invalid_request_error", nNode.asLong() < 1 ? "integer_below_min_value"
                        : "integer_above_max_value", "Invalid 'n': integer " + (nNode.asLong() < 1 ? "below minimum value. Expected a value >= 1"
                        : "above maximum value. Expected a value <= 10") + ", but got " + nNode.asLong() + " instead.", "n");
                return;
            }
            n = nNode.asInt();
            if (n > spec.maxImages()) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                        "Invalid 'n': " + model + " only supports n=" + spec.maxImages() + ".", "n");
                return;
            }
        }
        String size = text(field.apply("size"), spec.defaultSize());
        if (!spec.sizes().contains(size)) {
            invalidValue(ctx, "size", size, spec.sizes());
            return;
        }
        String quality = text(field.apply("quality"), "auto");
        if (kind != Kind.VARIATION && !spec.qualities().contains(quality)) {
            invalidValue(ctx, "quality", quality, spec.qualities());
            return;
        }
        JsonNode responseFormatNode = field.apply("response_format");
        String responseFormat = text(responseFormatNode, spec.gpt() ? "b64_json" : "url");
        if (spec.gpt() && responseFormatNode != null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unknown_parameter", "Unknown parameter: 'response_format'.", "response_format");
            return;
        }
        if (!responseFormat.equals("url") && !responseFormat.equals("b64_json")) {
            invalidValue(ctx, "response_format", responseFormat, List.of("url", "b64_json"));
            return;
        }
        JsonNode outputFormatNode = field.apply("output_format");
        String outputFormat = text(outputFormatNode, "png");
        JsonNode backgroundNode = field.apply("background");
        String background = text(backgroundNode, "auto");
        for (String gptOnly : List.of("output_format", "background", "output_compression", "partial_images", "moderation", "input_fidelity")) {
            if (!spec.gpt() && field.apply(gptOnly) != null) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                        "'" + gptOnly + "' is only supported for the GPT image models, not " + model + ".", gptOnly);
                return;
            }
        }
        if (!List.of("png", "jpeg", "webp").contains(outputFormat)) {
            invalidValue(ctx, "output_format", outputFormat, List.of("png", "jpeg", "webp"));
            return;
        }
        if (!ImagePainter.canWrite(outputFormat)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                    "output_format 'webp' is not available in the emulator: it has no webp encoder (use 'png' or 'jpeg').", "output_format");
            return;
        }
        if (!List.of("transparent", "opaque", "auto").contains(background)) {
            invalidValue(ctx, "background", background, List.of("transparent", "opaque", "auto"));
            return;
        }
        if (background.equals("transparent") && outputFormat.equals("jpeg")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                    "Transparent background is not supported for output_format 'jpeg'. Use 'png' or 'webp'.", "background");
            return;
        }
        JsonNode compressionNode = field.apply("output_compression");
        if (compressionNode != null && (!compressionNode.isIntegralNumber() || compressionNode.asInt() < 0 || compressionNode.asInt() > 100)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid 'output_compression': expected an integer between 0 and 100.", "output_compression");
            return;
        }
        int compression = compressionNode == null ? 100 : compressionNode.asInt();

        // Streaming
        JsonNode streamNode = field.apply("stream");
        if (streamNode != null && !streamNode.isBoolean()) {
            typeError(ctx, "stream", "a boolean", streamNode);
            return;
        }
        boolean stream = streamNode != null && streamNode.asBoolean();
        if (stream && !spec.gpt()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "unsupported_value",
                    "Streaming is not supported for model '" + model + "'.", "stream");
            return;
        }
        int partialImages = 0;
        JsonNode partialNode = field.apply("partial_images");
        if (partialNode != null) {
            if (!partialNode.isIntegralNumber() || partialNode.asInt() < 0 || partialNode.asInt() > 3) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                        "Invalid 'partial_images': expected an integer between 0 and 3.", "partial_images");
                return;
            }
            partialImages = partialNode.asInt();
        }

        // Input images
        List<ImageInputs.Input> inputs = new ArrayList<>();
        if (kind != Kind.GENERATION) {
            List<ImageInputs.Input> read = multipart ? ImageInputs.uploaded(ctx, form, spec, kind == Kind.VARIATION)
                    : ImageInputs.referenced(ctx, json);
            if (read == null) return;
            inputs = read;
        }

        String resolvedSize = spec.resolveSize(size);
        int width = Integer.parseInt(resolvedSize.substring(0, resolvedSize.indexOf('x')));
        int height = Integer.parseInt(resolvedSize.substring(resolvedSize.indexOf('x') + 1));
        String resolvedQuality = spec.resolveQuality(quality);
        boolean transparent = background.equals("transparent");
        long seed = prompt.hashCode() * 31L;
        for (ImageInputs.Input input : inputs) seed = seed * 31 + input.seed();
        BufferedImage under = inputs.isEmpty() ? null : inputs.get(0).decoded();

        int textTokens = Tokens.of(prompt);
        int imageTokens = (kind == Kind.EDIT ? inputs.size() : 0) * INPUT_IMAGE_TOKENS;
        int outputTokens = spec.outputTokens(resolvedSize, resolvedQuality);
        long created = Ids.nowSeconds();
        if (stream) {
            String prefix = kind == Kind.EDIT ? "image_edit" : "image_generation";
            ctx.status(200);
            ctx.res().setContentType("text/event-stream; charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-cache");
            OutputStream out = ctx.res().getOutputStream();
            for (int i = 0; i < n; i++) {
                long imageSeed = seed + i;
                for (int p = 0; p < partialImages; p++) {
                    double detail = 1.0 / (1 << (2 * (partialImages - p)));
                    byte[] preview = ImagePainter.encode(ImagePainter.paint(imageSeed, width, height, transparent, under, detail), outputFormat, compression);
                    event(out, prefix + ".partial_image", Json.obj("type", prefix + ".partial_image",
                            "b64_json", Base64.getEncoder().encodeToString(preview), "created_at", created, "size", size,
                            "quality", quality, "background", background, "output_format", outputFormat, "partial_image_index", p));
                }
                byte[] image = ImagePainter.encode(ImagePainter.paint(imageSeed, width, height, transparent, under, 1.0), outputFormat, compression);
                event(out, prefix + ".completed", Json.obj("type", prefix + ".completed",
                        "b64_json", Base64.getEncoder().encodeToString(image), "created_at", created, "size", size,
                        "quality", quality, "background", background, "output_format", outputFormat,
                        "usage", usage(textTokens, imageTokens, outputTokens)));
            }
            return;
        }
        ArrayNode data = Json.arr();
        for (int i = 0; i < n; i++) {
            byte[] image = ImagePainter.encode(ImagePainter.paint(seed + i, width, height, transparent, under, 1.0), outputFormat, compression);
            ObjectNode item = responseFormat.equals("url")
                    ? Json.obj("url", "http://" + ctx.host() + "/_emulator/images/" + store.put(image) + ".png")
                    : Json.obj("b64_json", Base64.getEncoder().encodeToString(image));
            if (model.startsWith("dall-e-3")) item.put("revised_prompt", prompt);
            data.add(item);
        }
        ObjectNode answer = Json.obj("created", created, "data", data);
        if (spec.gpt()) {
            answer.put("background", transparent ? "transparent" : "opaque");
            answer.put("output_format", outputFormat);
            answer.put("size", resolvedSize);
            answer.put("quality", resolvedQuality);
            answer.set("usage", usage(textTokens, imageTokens, outputTokens * n));
        }
        ctx.contentType("application/json").result(Json.write(answer));
    }

    private static ObjectNode usage(int textTokens, int imageTokens, int outputTokens) {
        int input = textTokens + imageTokens;
        return Json.obj("total_tokens", input + outputTokens, "input_tokens", input, "output_tokens", outputTokens,
                "input_tokens_details", Json.obj("text_tokens", textTokens, "image_tokens", imageTokens));
    }

    private static void event(OutputStream out, String name, ObjectNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + Json.write(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A multipart field's text as the JSON value it stands for, so both bodies are checked alike. */
    private static JsonNode typed(String name, String value) {
        String trimmed = value.trim();
        if (INTEGER_FIELDS.contains(name) && trimmed.matches("-?\\d{1,9}")) return IntNode.valueOf(Integer.parseInt(trimmed));
        if (BOOLEAN_FIELDS.contains(name) && (trimmed.equals("true") || trimmed.equals("false"))) return BooleanNode.valueOf(trimmed.equals("true"));
        return TextNode.valueOf(value);
    }

    private static String text(JsonNode node, String fallback) {
        return node == null ? fallback : node.isTextual() ? node.asText() : node.toString();
    }

    private static void typeError(Context ctx, String param, String expected, JsonNode got) {
        ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_type", "Invalid type for '" + param + "': expected "
                + expected + ", but got " + Params.typeName(got) + " instead.", param);
    }

    private static void invalidValue(Context ctx, String param, String value, List<String> supported) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < supported.size(); i++) {
            if (i > 0) list.append(i == supported.size() - 1 ? (supported.size() > 2 ? ", and " : " and ") : ", ");
            list.append('\'').append(supported.get(i)).append('\'');
        }
        ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", "Invalid value: '" + Params.printable(value)
                + "'. Supported values are: " + list + ".", param);
    }

    private static Set<String> union(List<String> a, List<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
