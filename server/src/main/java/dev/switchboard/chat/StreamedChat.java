package dev.switchboard.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.stream.NamedEvents;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import io.javalin.http.Context;
import java.util.Map;

/**
 * A chat answer as Server-Sent Events: {@code chat-started}, {@code text-delta} {@code {delta}}, then
 * {@code chat-completed} or {@code error} {@code {code, message}}, then {@code done}. The stream opens with the
 * first event.
 */
final class StreamedChat implements ChatSink {
    private final Context ctx;
    private SseWriter writer;

    StreamedChat(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public void started(ObjectNode info) throws ClientGoneException {
        writer = SseWriter.start(ctx, Map.of(RequestIds.HEADER, RequestIds.of(ctx)));
        writer.write(NamedEvents.frame("chat-started", info));
    }

    @Override
    public void delta(String text) throws ClientGoneException {
        writer.write(NamedEvents.frame("text-delta", Json.object().put("delta", text)));
    }

    @Override
    public void completed(ObjectNode info) throws ClientGoneException {
        writer.write(NamedEvents.frame("chat-completed", info));
        writer.write(NamedEvents.frame("done", null));
    }

    @Override
    public void failed(String code, String message) throws ClientGoneException {
        writer.write(NamedEvents.frame("error", Json.object().put("code", code).put("message", message)));
        writer.write(NamedEvents.frame("done", null));
    }
}
