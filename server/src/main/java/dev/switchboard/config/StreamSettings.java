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
 */
public record StreamSettings(Duration heartbeatInterval, Duration retention, Optional<Secret> redisUrl) {}
