package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: a fixed catalogue of current model names. */
final class ModelsApi {
    static final List<String> MODELS = List.of("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "gpt-5-mini",
            "o4-mini", "gpt-realtime", "gpt-realtime-mini", "gpt-4o-mini-transcribe", "gpt-4o-mini-tts", "whisper-1");
    private static final long CREATED = 1_735_689_600L;

    void list(Context ctx) {
        ArrayNode data = Json.arr();
        MODELS.forEach(id -> data.add(model(id)));
        ctx.contentType("application/json").result(Json.write(Json.obj("object", "list", "data", data)));
    }

    void retrieve(Context ctx) {
        String id = ctx.pathParam("id");
        if (!MODELS.contains(id)) {
            ApiErrors.send(ctx, 404, "invalid_request_error", "model_not_found",
                    "The model '" + id + "' does not exist or you do not have access to it.");
            return;
        }
        ctx.contentType("application/json").result(Json.write(model(id)));
    }

    private static ObjectNode model(String id) {
        return Json.obj("id", id, "object", "model", "created", CREATED, "owned_by", "switchboard-emulator");
    }
}
