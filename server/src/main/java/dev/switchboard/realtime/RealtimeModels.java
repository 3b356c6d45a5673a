package dev.switchboard.realtime;

import dev.switchboard.config.ModelSettings;
import dev.switchboard.web.GatewayException;

/** What Realtime offers here: whether it is on, which models, the default model and voice, the ICE servers. */
final class RealtimeModels {
    private final boolean enabled;
    private final ModelSettings models;

    RealtimeModels(boolean enabled, ModelSettings models) {
        this.enabled = enabled;
        this.models = models;
    }

    void requireEnabled() {
        if (!enabled) {
            throw new GatewayException(403, "invalid_request_error", "realtime_disabled", null,
                    "Realtime is turned off on this gateway; the operator can turn it on with OPENAI_REALTIME_ENABLED=true.");
        }
    }

    /** The model asked for (the default when none), when it is offered; a 400 naming the offered ones otherwise. */
    String allowed(String requested) {
        String model = requested == null || requested.isBlank() ? models.realtimeModel() : requested;
        if (!models.realtimeModels().contains(model)) {
            throw new GatewayException(400, "invalid_request_error", "model_not_allowed", "model",
                    "The model '" + model + "' is not offered for Realtime here. Use one of " + models.realtimeModels()
                            + ", or ask the operator to add it to SWITCHBOARD_REALTIME_MODELS.");
        }
        return model;
    }

    /** The models clients may ask for. */
    java.util.List<String> offered() {
        return java.util.List.copyOf(models.realtimeModels());
    }

    String voice(String requested) {
        return requested == null || requested.isBlank() ? models.realtimeVoice() : requested;
    }

    /** The model that transcribes callers' audio, when one is configured ({@code OPENAI_TRANSCRIPTION_MODEL}). */
    java.util.Optional<String> transcriptionModel() {
        return models.transcriptionModel();
    }

    com.fasterxml.jackson.databind.node.ArrayNode iceServers() {
        return models.realtimeTurnServers().deepCopy();
    }
}
