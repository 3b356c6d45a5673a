package dev.switchboard.config;

import java.time.Duration;
import java.util.Set;

/**
 * How agent runs resolve tool calls, and how the document tools fetch and read documents.
 *
 * @param maxToolRounds        how many times one run may call tools and go back to the model (default 5)
 * @param toolTimeout          the longest one tool call may take; past it the model is told the tool timed out (default 20 s)
 * @param visionModel          the model that reads documents for {@code document.vision_ocr} (default gpt-4o-mini)
 * @param documentMaxBytes     the largest document uploaded or fetched (default 20 MiB)
 * @param documentUrlAllowlist external https hosts documents may be fetched from; a leading dot allows subdomains
 *                             (default none: only the gateway's own signed URLs)
 * @param mcpServers           MCP servers whose tools agents may use (SWITCHBOARD_MCP_SERVERS; default none)
 */
public record AgentSettings(int maxToolRounds, Duration toolTimeout, String visionModel, long documentMaxBytes,
                            Set<String> documentUrlAllowlist, java.util.List<McpServerSettings> mcpServers) {}
