package dev.switchboard.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Default models and voices.
 *
 * @param chatModel          the configured chat model ({@code llm_model}; default {@code gpt-4o-mini})
 * @param realtimeModel      default Realtime model ({@code OPENAI_REALTIME_MODEL}; default {@code gpt-realtime})
 * @param realtimeVoice      default Realtime voice ({@code OPENAI_REALTIME_VOICE}; default {@code marin})
 * @param realtimeTurnServers STUN/TURN servers for WebRTC clients, as RTCIceServer objects ({@code OPENAI_REALTIME_TURN_SERVERS};
 *                            checked by {@link IceServers})
 * @param transcriptionModel input transcription model ({@code OPENAI_TRANSCRIPTION_MODEL}); empty disables it
 * @param ttsModel           speech model for transcript export ({@code OPENAI_TTS_MODEL}; default {@code gpt-4o-mini-tts})
 * @param ttsVoice           speech voice ({@code OPENAI_TTS_VOICE}; default {@code alloy})
 * @param ttsFormat          speech format ({@code OPENAI_TTS_FORMAT}; default {@code mp3})
 * @param realtimeModels     models clients may open over the Realtime WebSocket relay ({@code SWITCHBOARD_REALTIME_MODELS};
 *                           default the Realtime model, {@code gpt-realtime} and {@code gpt-realtime-mini})
 */
public record ModelSettings(String chatModel, String realtimeModel, String realtimeVoice,
                            com.fasterxml.jackson.databind.node.ArrayNode realtimeTurnServers, Optional<String> transcriptionModel,
                            String ttsModel, String ttsVoice, String ttsFormat, java.util.Set<String> realtimeModels) {

    /** A model is served over the Realtime WebSocket when its name contains "realtime", in any case. */
    public static boolean isRealtimeModel(String model) {
        return model != null && model.toLowerCase(Locale.ROOT).contains("realtime");
    }

    public String chatApiType() {
        return isRealtimeModel(chatModel) ? "Realtime WebSocket" : "REST";
    }
}
