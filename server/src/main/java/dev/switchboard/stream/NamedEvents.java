package dev.switchboard.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;

/** Events the gateway writes itself (run and agent streams): {@code event: NAME} and one {@code data:} line. */
public final class NamedEvents {
    private NamedEvents() {}

    /** A complete event; {@code data} null writes the terminator's {@code [DONE]}. */
    public static byte[] frame(String event, JsonNode data) {
        String payload = data == null ? "[DONE]" : Json.write(data);
        return ("event: " + event.replace("\r", "").replace("\n", "") + "\ndata: " + payload + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
