package dev.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.web.GatewayException;

/** The chat parsers, opened to the fuzz test: only a {@link GatewayException} (an OpenAI-shaped 400) may come out. */
public final class ChatFuzzTargets {
    private ChatFuzzTargets() {}

    public static void chatRequest(JsonNode body) {
        try {
            ChatRequest request = ChatRequest.parse(body, "gpt-4o-mini");
            request.chatMessages();
            request.instructions();
        } catch (GatewayException refused) {
            if (refused.status() != 400) throw refused;
        }
    }
}
