package dev.switchboard.chat;

import dev.switchboard.config.Settings;
import dev.switchboard.debug.RequestLogRepository;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.realtime.UpstreamLeg;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.RequestBodies;
import java.net.http.HttpClient;
import org.jdbi.v3.core.Jdbi;

/** Chat, wired: {@code POST /api/chat} over Realtime or REST, ChatKit sessions, and the admin status. */
public final class ChatModule implements Capability {
    private final HttpClient webSockets;
    private final ChatRoutes chat;
    private final ChatKitSessions chatKit;
    private final StatusRoutes status;

    public ChatModule(Foundations f) {
        this(f.settings(), f.upstream(), f.bodies(), f.listener(), f.recorder(), f.metrics(), f.jdbi(), f.requestLog());
    }

    private ChatModule(Settings settings, UpstreamClient upstream, RequestBodies bodies, ExchangeListener listener,
                      RequestRecorder recorder, Metrics metrics, Jdbi jdbi,
                       RequestLogRepository requestLog) {
        var connectTimeout = settings.upstream().connectTimeout();
        this.webSockets = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        var leg = new UpstreamLeg(webSockets, upstream.baseUrl(), upstream.apiKey().reveal(), connectTimeout,
                settings.server().maxWebSocketMessageBytes(), upstream::calling);
        var chats = new ChatService(upstream, leg, listener, recorder, settings.chat(), settings.upstream().idleTimeout(), metrics);
        this.chat = new ChatRoutes(chats, bodies, settings.models().chatModel());
        this.chatKit = new ChatKitSessions(upstream, listener, settings.chat().chatkitWorkflow(), jdbi);
        this.status = new StatusRoutes(settings.models(), settings.chat(), upstream, chats, requestLog);
    }

    @Override
    public void register(ApiRoutes routes) {
        chat.register(routes);
        chatKit.register(routes);
        status.register(routes);
    }

    @Override
    public void close() {
        webSockets.close();
    }
}
