package dev.switchboard.emulator.realtime;

import dev.switchboard.emulator.VoiceActivity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One WebRTC call: a Realtime session whose events travel over the client's {@code oai-events} data channel and
 * to every sideband WebSocket attached with {@code ?call_id=}, both of which may also send client events. Events
 * made before the channel opens (the first, {@code session.created}) wait for it; a sideband sees events from the
 * moment it attaches.
 */
public final class RealtimeCall implements WebRtcPeer.Listener {
    private final String id;
    private final RealtimeSession session;
    private final Consumer<RealtimeCall> onEnd;
    private final List<Session> sidebands = new CopyOnWriteArrayList<>();
    private final List<String> beforeOpen = new ArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicLong audioBytes = new AtomicLong();
    /** Microphone audio is handed over here, in order, so libwebrtc's audio thread never waits on the session. */
    private final ExecutorService audio = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("emulator-call-audio").factory());
    private volatile WebRtcPeer peer;
    private boolean channelOpen;

    RealtimeCall(String id, java.util.function.Function<RealtimeTransport, RealtimeSession> sessions, Consumer<RealtimeCall> onEnd) {
        this.id = id;
        this.onEnd = onEnd;
        this.session = sessions.apply(new CallTransport());
    }

    String id() {
        return id;
    }

    void peer(WebRtcPeer peer) {
        this.peer = peer;
        session.open();
    }

    /** A sideband WebSocket joins the call. */
    void attach(Session sideband) {
        if (ended.get()) {
            sideband.close(1000, "the call has ended", Callback.NOOP);
            return;
        }
        sidebands.add(sideband);
    }

    void detach(Session sideband) {
        sidebands.remove(sideband);
    }

    /** A client event from a sideband. */
    void clientEvent(String text) {
        session.onClientEvent(text);
    }

    /** What a test may check of the call. */
    public RealtimeCallState state() {
        synchronized (beforeOpen) {
            return new RealtimeCallState(id, channelOpen, audioBytes.get() * 1000 / (VoiceActivity.SAMPLE_RATE * 2L), sidebands.size(),
                    ended.get());
        }
    }

    /** Ends the call: the peer connection closes and every sideband with it. */
    void hangUp() {
        if (!ended.compareAndSet(false, true)) return;
        session.close();
        WebRtcPeer connection = peer;
        if (connection != null) connection.close();
        for (Session sideband : sidebands) sideband.close(1000, "the call has ended", Callback.NOOP);
        sidebands.clear();
        audio.shutdown();
        onEnd.accept(this);
    }

    @Override
    public void channelOpen() {
        List<String> waiting;
        synchronized (beforeOpen) {
            channelOpen = true;
            waiting = new ArrayList<>(beforeOpen);
            beforeOpen.clear();
        }
        waiting.forEach(peer::send);
    }

    @Override
    public void message(String text) {
        session.onClientEvent(text);
    }

    @Override
    public void audio(byte[] pcm) {
        audioBytes.addAndGet(pcm.length);
        try {
            audio.execute(() -> session.appendInputAudio(pcm));
        } catch (java.util.concurrent.RejectedExecutionException ended) {
            // Audio still arriving as the call closes.
        }
    }

    @Override
    public void gone() {
        hangUp();
    }

    /** Events to the data channel (held until it opens) and to every sideband. */
    private final class CallTransport implements RealtimeTransport {
        @Override
        public void send(String event, Runnable afterWritten) {
            boolean open;
            synchronized (beforeOpen) {
                open = channelOpen;
                if (!open) beforeOpen.add(event);
            }
            if (open) peer.send(event);
            for (Session sideband : sidebands) sideband.sendText(event, Callback.NOOP);
            afterWritten.run();
        }

        @Override
        public void drop() {
            hangUp();
        }
    }
}
