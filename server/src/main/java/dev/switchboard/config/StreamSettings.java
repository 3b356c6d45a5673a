package dev.switchboard.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How relayed streams are kept and watched.
 *
 * @param heartbeatInterval a {@code : keep-alive} comment after this much silence, so a vanished client is noticed
 *                          and its upstream request cancelled (default 15 s)
 * @param retention         how long a finished stream stays resumable (default 10 min)
 * @param redisUrl          a Redis shared by several gateway instances for their event logs; empty keeps them in memory
 * @param shutdownGrace     how long a stopping instance (SIGTERM) takes at most: requests and streams under way may
 *                          finish during most of it, then those left are ended with a {@code gateway_shutting_down}
 *                          error and recorded (default 20 s)
 */
public record StreamSettings(Duration heartbeatInterval, Duration retention, Optional<Secret> redisUrl,
                             Duration shutdownGrace) {}
