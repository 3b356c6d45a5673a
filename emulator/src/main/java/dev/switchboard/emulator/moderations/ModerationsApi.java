package dev.switchboard.emulator.moderations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.media.Faults;
import dev.switchboard.emulator.media.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/moderations}: {@link Moderator}'s verdicts in OpenAI's shape, every category with its flag, score
 * and the input types it was judged on. omni-moderation (the default) takes text and {@code image_url} parts and
 * answers one result for all of them, as upstream; text-moderation answers one result per string and has no
 * {@code illicit} categories (null).
 */
public final class ModerationsApi {
    private static final Set<String> MODELS = Set.of("omni-moderation-latest", "omni-moderation-2024-09-26",
            "text-moderation-latest", "text-moderation-stable");
    private static final String INVALID_INPUT = "Invalid value for 'input': expected a string, an array of strings, "
            + "or an array of objects of type 'text' or 'image_url'.";
    static final int MAX_INPUTS = 2048;

    private final Faults faults;

    private ModerationsApi(Faults faults) {
        this.faults = faults;
    }

    public static void register(RoutesConfig routes, Faults faults) {
        routes.post("/v1/moderations", new ModerationsApi(faults)::create);
    }

    /** What one result judges: its text, and the text stood for by its images (their URLs' words). */
    private record Judged(String text, String imageText, boolean hasText, boolean hasImage) {}

    void create(Context ctx) throws java.io.IOException {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        JsonNode modelNode = body.path("model");
        if (!modelNode.isMissingNode() && !modelNode.isNull() && !modelNode.isTextual()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_type",
                    "Invalid type for 'model': expected a string, but got " + Params.typeName(modelNode) + " instead.", "model");
            return;
        }
        String model = Params.checkModel(ctx, modelNode.isTextual() ? modelNode.asText() : "omni-moderation-latest", MODELS, faults);
        if (model == null) return;
        boolean omni = !model.startsWith("text-moderation");
        JsonNode input = body.path("input");
        if (input.isMissingNode() || input.isNull()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'input'.", "input");
            return;
        }
        List<Judged> judged = judged(input, omni);
        if (judged == null) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value", INVALID_INPUT, "input");
            return;
        }
        if (!omni && judged.stream().anyMatch(Judged::hasImage)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Image inputs are not supported by model '" + model + "'. Use 'omni-moderation-latest'.", "input");
            return;
        }
        ArrayNode results = Json.arr();
        for (Judged one : judged) results.add(result(one, omni));
        ctx.contentType("application/json").result(Json.write(Json.obj("id", Ids.next("modr-"), "model", model,
                "results", results)));
    }

    /** One judged input per string (an omni array of parts is one input), or null when the input has no valid shape. */
    private static List<Judged> judged(JsonNode input, boolean omni) {
        List<Judged> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(new Judged(input.asText(), "", true, false));
            return out;
        }
        if (!input.isArray() || input.isEmpty() || input.size() > MAX_INPUTS) return null;
        if (input.get(0).isObject()) {
            StringBuilder text = new StringBuilder();
            StringBuilder images = new StringBuilder();
            boolean hasText = false, hasImage = false;
            for (JsonNode part : input) {
                String type = part.path("type").asText("");
                if (type.equals("text") && part.path("text").isTextual()) {
                    text.append(part.path("text").asText()).append('\n');
                    hasText = true;
                } else if (type.equals("image_url") && part.path("image_url").path("url").isTextual()
                        && !part.path("image_url").path("url").asText().isEmpty()) {
                    String url = part.path("image_url").path("url").asText();
                    // A data URL's words are its bytes' base64: only an http(s) URL's words describe an image.
                    images.append(url.startsWith("data:") ? "" : url.replaceAll("[^\\p{L}\\p{N}]+", " ")).append('\n');
                    hasImage = true;
                } else {
                    return null;
                }
            }
            out.add(new Judged(text.toString(), images.toString(), hasText, hasImage));
            return out;
        }
        for (JsonNode item : input) {
            if (!item.isTextual()) return null;
            out.add(new Judged(item.asText(), "", true, false));
        }
        return out;
    }

    private static ObjectNode result(Judged judged, boolean omni) {
        ObjectNode categories = Json.obj();
        ObjectNode scores = Json.obj();
        ObjectNode applied = Json.obj();
        boolean any = false;
        for (String category : Moderator.TRIGGERS.keySet()) {
            boolean imageCategory = Moderator.IMAGE_CATEGORIES.contains(category);
            ArrayNode types = Json.arr();
            if (judged.hasText()) types.add("text");
            if (judged.hasImage() && imageCategory) types.add("image");
            boolean supported = omni || !category.startsWith("illicit");
            boolean flagged = supported && (Moderator.flags(category, judged.text())
                    || imageCategory && Moderator.flags(category, judged.imageText()));
            any |= flagged;
            if (supported) {
                categories.put(category, flagged);
            } else {
                categories.putNull(category);
                types.removeAll();
            }
            scores.put(category, supported ? Moderator.score(category, judged.text() + judged.imageText(), flagged) : 0.0);
            applied.set(category, types);
        }
        return Json.obj("flagged", any, "categories", categories, "category_scores", scores,
                "category_applied_input_types", applied);
    }
}
