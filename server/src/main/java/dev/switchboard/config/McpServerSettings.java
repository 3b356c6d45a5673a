package dev.switchboard.config;

import java.net.URI;
import java.util.Optional;

/**
 * An MCP server whose tools agents may use.
 *
 * @param name prefix of its tools' names (its tool {@code x} is the agent tool {@code NAME.x})
 * @param url  its Streamable HTTP endpoint
 * @param key  sent as {@code Authorization: Bearer}; read from the environment variable the config names
 */
public record McpServerSettings(String name, URI url, Optional<Secret> key) {}
