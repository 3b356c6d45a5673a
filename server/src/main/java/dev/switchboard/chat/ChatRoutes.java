package dev.switchboard.chat;

import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.web.RequestBodies;
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

    ChatRoutes(ChatService chats, RequestBodies bodies, String defaultModel) {
        this.chats = chats;
        this.bodies = bodies;
        this.defaultModel = defaultModel;
    }

    void register(ApiRoutes routes) {
        routes.post("/api/chat", ApiRoute.key().modelFrom(ctx -> request(ctx).model()).streamsWhen(ctx -> request(ctx).stream()),
                this::chat);
    }

    private ChatRequest request(Context ctx) {
        return ChatRequest.parse(bodies.json(ctx).json(), defaultModel);
    }

    private void chat(Context ctx) {
        ChatRequest request = request(ctx);
        Admitted admitted = Admitted.of(ctx);
        try {
            if (request.stream()) {
                chats.answer(admitted, request, new StreamedChat(ctx));
            } else {
                CollectedChat collected = new CollectedChat();
                chats.answer(admitted, request, collected);
                ctx.json(collected.answer());
            }
        } catch (ClientGoneException gone) {
            // The client left; the request log says so.
        }
    }
}
