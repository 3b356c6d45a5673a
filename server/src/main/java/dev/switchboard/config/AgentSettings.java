package dev.switchboard.config;

import java.time.Duration;

/**
 * How agent runs resolve tool calls.
 *
 * @param maxToolRounds how many times one run may call tools and go back to the model (default 5)
 * @param toolTimeout   the longest one tool call may take; past it the model is told the tool timed out (default 20 s)
 */
public record AgentSettings(int maxToolRounds, Duration toolTimeout) {}
