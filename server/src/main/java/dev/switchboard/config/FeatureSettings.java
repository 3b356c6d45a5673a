package dev.switchboard.config;

/**
 * Switches.
 *
 * @param streamingEnabled agent streaming ({@code OPENAI_STREAMING_ENABLED}; default false, as in seed 003)
 * @param realtimeEnabled  the Realtime broker ({@code OPENAI_REALTIME_ENABLED}; default false)
 * @param debugEvents      record upstream requests in {@code openai_debug_events} ({@code SWITCHBOARD_DEBUG_EVENTS})
 */
public record FeatureSettings(boolean streamingEnabled, boolean realtimeEnabled, boolean debugEvents) {}
