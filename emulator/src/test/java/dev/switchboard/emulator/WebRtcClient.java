package dev.switchboard.emulator;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.switchboard.emulator.realtime.WebRtcPeer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client's side of a WebRTC call, as a browser makes it: an audio track and the {@code oai-events} channel. */
final class WebRtcClient implements PeerConnectionObserver, AutoCloseable {
    private static PeerConnectionFactory factory;

    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> open = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final RTCPeerConnection connection;
    private final RTCDataChannel events;

    WebRtcClient() {
        PeerConnectionFactory peers = factory();
        connection = peers.createPeerConnection(new RTCConfiguration(), this);
        connection.addTrack(peers.createAudioTrack("microphone", peers.createAudioSource(new AudioOptions())), List.of("client"));
        events = connection.createDataChannel("oai-events", new RTCDataChannelInit());
        events.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {
            }

            @Override
            public void onStateChange() {
                if (events.getState() == RTCDataChannelState.OPEN) open.complete(null);
                if (events.getState() == RTCDataChannelState.CLOSED) closed.complete(null);
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                byte[] bytes = new byte[buffer.data.remaining()];
                buffer.data.get(bytes);
                messages.add(new String(bytes, StandardCharsets.UTF_8));
            }
        });
    }

    /** An offer with every candidate in it. */
    String offer() throws Exception {
        CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
        connection.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                created.complete(description);
            }

            @Override
            public void onFailure(String error) {
                created.completeExceptionally(new IllegalStateException(error));
            }
        });
        CompletableFuture<Void> set = new CompletableFuture<>();
        connection.setLocalDescription(created.get(10, TimeUnit.SECONDS), WebRtcPeer.settled(set));
        set.get(10, TimeUnit.SECONDS);
        gathered.get(10, TimeUnit.SECONDS);
        return connection.getLocalDescription().sdp;
    }

    void answer(String sdp) throws Exception {
        CompletableFuture<Void> set = new CompletableFuture<>();
        connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp), WebRtcPeer.settled(set));
        set.get(10, TimeUnit.SECONDS);
    }

    void send(String text) throws Exception {
        events.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState state) {
        if (state == RTCIceGatheringState.COMPLETE) gathered.complete(null);
    }

    @Override
    public void close() {
        connection.close();
    }

    private static synchronized PeerConnectionFactory factory() {
        if (factory == null) factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        return factory;
    }
}
