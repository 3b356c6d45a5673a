package dev.switchboard.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

/** Events the gateway writes itself (run and agent streams): {@code event: NAME} and one {@code data:} line. */
public final class NamedEvents {
    private NamedEvents() {}

    /** A complete event; {@code data} null writes the terminator's {@code [DONE]}. */
    public static byte[] frame(String event, JsonNode data) {
        String payload = data == null ? "[DONE]" : Json.write(data);
        return ("event: " + event.replace("\r", "").replace("\n", "") + "\ndata: " + payload + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The ending of a stream of named events: an {@code error} event with {@code errorData(code, message)}, then
     * {@code done}; nothing when the stream's last event is {@code done} already.
     */
    public static StreamEnding ending(BiFunction<String, String, JsonNode> errorData) {
        return (code, message, last) -> last != null && "done".equals(last.event()) ? List.of()
                : List.of(frame("error", errorData.apply(code, message)), frame("done", null));
    }
}
