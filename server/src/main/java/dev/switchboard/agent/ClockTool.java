package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.time.Clock;
import java.time.Instant;

/** {@code clock.now}: the current time in UTC, ISO-8601; models do not know what time it is. */
final class ClockTool implements AgentTool {
    private final Clock clock;

    ClockTool(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "clock.now";
    }

    @Override
    public String description() {
        return "Returns the current date and time in UTC (ISO-8601).";
    }

    @Override
    public ObjectNode parameters() {
        ObjectNode schema = Json.object().put("type", "object");
        schema.putObject("properties");
        return schema;
    }

    @Override
    public String call(JsonNode arguments) {
        return Instant.now(clock).toString();
    }
}
