package dev.switchboard.config;

/**
 * Switches.
 *
 * @param streamingEnabled agent streaming ({@code OPENAI_STREAMING_ENABLED}; default false, as in seed 003)
 * @param realtimeEnabled  the Realtime broker ({@code OPENAI_REALTIME_ENABLED}; default false)
 * @param realtimeUpstreamSecrets hand clients OpenAI's own {@code ek_} client secrets instead of the gateway's
 *                         single-use tokens ({@code SWITCHBOARD_REALTIME_CLIENT_SECRETS=upstream}; default {@code gateway})
 * @param realtimeSecretLifetime how long a Realtime client secret or token lives ({@code SWITCHBOARD_REALTIME_SECRET_TTL};
 *                         default 600 s, 10 s to 7200 s)
 * @param realtimeMaxSession longest a Realtime session may last before the gateway ends it
 *                         ({@code SWITCHBOARD_REALTIME_MAX_SESSION}; default 30 min; OpenAI's own limit is 60 min)
 * @param debugEvents      record upstream requests in {@code openai_debug_events} ({@code SWITCHBOARD_DEBUG_EVENTS})
 */
public record FeatureSettings(boolean streamingEnabled, boolean realtimeEnabled, boolean debugEvents,
                              boolean realtimeUpstreamSecrets, java.time.Duration realtimeSecretLifetime,
                              java.time.Duration realtimeMaxSession) {

    /** The same settings with agent streaming on: what an evaluation, which speaks through it, needs. */
    public FeatureSettings withStreaming() {
        return new FeatureSettings(true, realtimeEnabled, debugEvents, realtimeUpstreamSecrets, realtimeSecretLifetime,
                realtimeMaxSession);
    }
}
