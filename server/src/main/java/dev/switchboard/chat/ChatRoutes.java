package dev.switchboard.chat;

import dev.switchboard.auth.Authenticator;
import dev.switchboard.auth.Caller;
import dev.switchboard.limits.Limits;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.web.RequestBodies;
import dev.switchboard.web.RequestIds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code POST /api/chat}: {@code messages}, optionally {@code model} (the configured {@code llm_model} by default),
 * {@code temperature}, {@code max_tokens} and {@code stream}. Streamed, the answer is Server-Sent Events
 * ({@code chat-started}, {@code text-delta}, {@code chat-completed} or {@code error}, {@code done}); otherwise the
 * {@code chat-completed} object is the body. Either way it says which mode answered, and why a fallback was taken.
 */
final class ChatRoutes {
    private final ChatService chats;
    private final RequestBodies bodies;
    private final String defaultModel;
    private final Limits limits;

    ChatRoutes(ChatService chats, RequestBodies bodies, String defaultModel, Limits limits) {
        this.limits = limits;
        this.chats = chats;
        this.bodies = bodies;
        this.defaultModel = defaultModel;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/chat", this::chat);
    }

    private void chat(Context ctx) {
        ChatRequest request = ChatRequest.parse(bodies.json(ctx).json(), defaultModel);
        Caller caller = Authenticator.caller(ctx);
        limits.requireModel(caller, request.model());
        try {
            if (request.stream()) {
                try (var slot = limits.openStream(caller)) {
                    chats.answer(caller, RequestIds.of(ctx), request, new StreamedChat(ctx));
                }
            } else {
                CollectedChat collected = new CollectedChat();
                chats.answer(caller, RequestIds.of(ctx), request, collected);
                ctx.json(collected.answer());
            }
        } catch (ClientGoneException gone) {
            // The client left; the request log says so.
        }
    }
}
