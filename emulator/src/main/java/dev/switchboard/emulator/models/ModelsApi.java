package dev.switchboard.emulator.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the models OpenAI serves (its public model list, without
 * dated snapshots), and the one rule every route uses to answer an unknown model as OpenAI does.
 */
public final class ModelsApi {
    static final List<String> MODELS = List.of(
            "gpt-4o", "gpt-4o-mini", "chatgpt-4o-latest", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
            "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-chat-latest", "gpt-5.1", "gpt-5-pro",
            "o1", "o1-pro", "o3", "o3-mini", "o3-pro", "o4-mini", "gpt-4-turbo", "gpt-4", "gpt-3.5-turbo",
            "gpt-realtime", "gpt-realtime-mini", "gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview",
            "gpt-audio", "gpt-audio-mini", "gpt-4o-audio-preview", "gpt-4o-mini-audio-preview",
            "gpt-4o-search-preview", "gpt-4o-mini-search-preview", "computer-use-preview",
            "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1", "gpt-4o-mini-tts", "tts-1", "tts-1-hd",
            "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002",
            "omni-moderation-latest", "gpt-image-1", "dall-e-3", "dall-e-2",
            "gpt-4o-transcribe-diarize", "text-moderation-latest", "gpt-image-1-mini", "gpt-image-1.5");
    private static final Pattern SNAPSHOT = Pattern.compile("(.+)-\\d{4}-\\d{2}-\\d{2}");
    private static final long CREATED = 1_735_689_600L;

    /** Whether OpenAI serves this model: a listed one or a dated snapshot of one ({@code gpt-4o-2024-08-06}). */
    public static boolean served(String model) {
        if (MODELS.contains(model)) return true;
        var snapshot = SNAPSHOT.matcher(model);
        return snapshot.matches() && MODELS.contains(snapshot.group(1));
    }

    /** OpenAI's answer to a model it does not serve (or that the key may not use). */
    public static void notFound(Context ctx, String model) {
        ApiErrors.send(ctx, 404, "invalid_request_error", "model_not_found",
                "The model '" + model + "' does not exist or you do not have access to it.");
    }

    /** Registers the /v1/models routes. */
    public void register(RoutesConfig routes) {
        routes.get("/v1/models", this::list);
        routes.get("/v1/models/{id}", this::retrieve);
    }

    void list(Context ctx) {
        ArrayNode data = Json.arr();
        MODELS.forEach(id -> data.add(model(id)));
        ctx.contentType("application/json").result(Json.write(Json.obj("object", "list", "data", data)));
    }

    void retrieve(Context ctx) {
        String id = ctx.pathParam("id");
        if (!served(id)) {
            notFound(ctx, id);
            return;
        }
        ctx.contentType("application/json").result(Json.write(model(id)));
    }

    private static ObjectNode model(String id) {
        return Json.obj("id", id, "object", "model", "created", CREATED, "owned_by", "system");
    }
}
