package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.ModelSettings;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.upstream.RecordedCall;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.upstream.UpstreamRequest;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import io.javalin.http.Context;

/**
 * Renders a stored voice-session transcript as audio through OpenAI's speech endpoint, with
 * {@code OPENAI_TTS_MODEL}, {@code OPENAI_TTS_VOICE} and {@code OPENAI_TTS_FORMAT}. One speech request, so a
 * transcript longer than OpenAI's input limit is refused with a message saying so.
 */
final class TranscriptSpeech {
    static final int MAX_INPUT = 4096;

    private final UpstreamClient upstream;
    private final ModelSettings speech;
    private final ExchangeListener listener;

    TranscriptSpeech(UpstreamClient upstream, ModelSettings speech, ExchangeListener listener) {
        this.upstream = upstream;
        this.speech = speech;
        this.listener = listener;
    }

    void render(Context ctx, ObjectNode session) {
        String text = script(session.path("transcript"));
        if (text.isEmpty()) {
            throw new GatewayException(409, "invalid_request_error", "transcript_empty", null,
                    "Realtime session '" + session.path("id").asText() + "' has no transcript yet; nothing to render.");
        }
        if (text.length() > MAX_INPUT) {
            throw new GatewayException(400, "invalid_request_error", "transcript_too_long", null,
                    "The transcript has " + text.length() + " characters; OpenAI's speech endpoint takes at most "
                            + MAX_INPUT + " in one request.");
        }
        ObjectNode body = Json.object().put("model", speech.ttsModel()).put("voice", speech.ttsVoice())
                .put("input", text).put("response_format", speech.ttsFormat());
        Exchange exchange = Admitted.of(ctx).exchange("/v1/audio/speech", speech.ttsModel(), false);
        RecordedCall.Answer answer = RecordedCall.send(upstream, UpstreamRequest.postJson("/audio/speech", body, RequestIds.of(ctx)),
                exchange);
        if (!answer.ok()) {
            throw new GatewayException(answer.status(), "upstream_error", "speech_refused", null,
                    "OpenAI could not render the transcript: " + answer.errorMessage());
        }
        ctx.contentType(answer.contentType() == null ? "application/octet-stream" : answer.contentType());
        ctx.header("Content-Disposition", "attachment; filename=\"" + session.path("id").asText() + "." + speech.ttsFormat() + "\"");
        ctx.result(answer.body());
    }

    /** The transcript as one text to read out: each turn on its own line. */
    static String script(JsonNode transcript) {
        StringBuilder text = new StringBuilder();
        for (JsonNode entry : transcript) {
            if (!text.isEmpty()) text.append('\n');
            text.append(entry.path("text").asText());
        }
        return text.toString().strip();
    }
}
