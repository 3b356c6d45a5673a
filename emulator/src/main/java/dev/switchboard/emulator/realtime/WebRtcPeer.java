package dev.switchboard.emulator.realtime;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.switchboard.emulator.VoiceActivity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The emulator's side of one WebRTC call, on libwebrtc (webrtc-java): it answers a client's offer, takes the
 * client's {@code oai-events} data channel for Realtime events, receives the client's microphone track as 24 kHz
 * mono PCM16, and sends an audio track of its own, as OpenAI's peer does. The answer carries every ICE candidate:
 * the Realtime API does not trickle.
 */
public final class WebRtcPeer implements PeerConnectionObserver {
    /** The Realtime events channel a client opens. */
    static final String EVENTS_CHANNEL = "oai-events";
    private static final Duration STEP_LIMIT = Duration.ofSeconds(10);

    /** What happens on the call, as the peer sees it. */
    interface Listener {
        void channelOpen();

        void message(String text);

        /** Microphone audio, 24 kHz mono little-endian PCM16. */
        void audio(byte[] pcm);

        /** The call ended: the client hung up, the connection failed, or the events channel closed. */
        void gone();
    }

    /** libwebrtc could not be loaded or could not answer the offer; the message says what to do. */
    public static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }

        /** True when libwebrtc refused the offer itself, rather than failing to run. */
        boolean offerRefused() {
            return getCause() instanceof IllegalStateException;
        }
    }

    private static PeerConnectionFactory factory;

    private final Listener listener;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile RTCPeerConnection connection;
    private volatile RTCDataChannel events;

    private WebRtcPeer(Listener listener) {
        this.listener = listener;
    }

    /** Answers {@code offerSdp}; returns the peer and its answer, candidates included. */
    static WebRtcPeer answer(String offerSdp, Listener listener) throws Unavailable {
        WebRtcPeer peer = new WebRtcPeer(listener);
        PeerConnectionFactory peers = factory();
        RTCPeerConnection connection = peers.createPeerConnection(new RTCConfiguration(), peer);
        peer.connection = connection;
        try {
            CompletableFuture<Void> remoteSet = new CompletableFuture<>();
            connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp), settled(remoteSet));
            await(remoteSet, "The SDP offer was not accepted");
            if (offerSdp.contains("m=audio")) {
                AudioTrack voice = peers.createAudioTrack("emulator-voice", peers.createAudioSource(new AudioOptions()));
                connection.addTrack(voice, List.of("emulator"));
            }
            CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
            connection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
                @Override
                public void onSuccess(RTCSessionDescription description) {
                    created.complete(description);
                }

                @Override
                public void onFailure(String error) {
                    created.completeExceptionally(new IllegalStateException(error));
                }
            });
            RTCSessionDescription answer = await(created, "No answer could be made to the offer");
            CompletableFuture<Void> localSet = new CompletableFuture<>();
            connection.setLocalDescription(answer, settled(localSet));
            await(localSet, "The answer could not be applied");
            await(peer.gathered, "ICE candidates could not be gathered");
            return peer;
        } catch (Unavailable e) {
            peer.close();
            throw e;
        }
    }

    /** The answer SDP, with the gathered candidates. */
    String answerSdp() {
        return connection.getLocalDescription().sdp;
    }

    /** Sends one event over the events channel; false when the channel is not open. */
    boolean send(String text) {
        RTCDataChannel channel = events;
        if (channel == null || channel.getState() != RTCDataChannelState.OPEN) return false;
        try {
            channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Ends the call. Never on one of libwebrtc's own threads: closing from its callbacks deadlocks. */
    void close() {
        RTCPeerConnection pc = connection;
        if (pc == null) return;
        Thread.ofVirtual().name("emulator-webrtc-close").start(pc::close);
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
        // Candidates travel in the answer, gathered in full before it is sent.
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState state) {
        if (state == RTCIceGatheringState.COMPLETE) gathered.complete(null);
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState state) {
        if (state == RTCPeerConnectionState.FAILED || state == RTCPeerConnectionState.CLOSED) end();
    }

    @Override
    public void onDataChannel(RTCDataChannel channel) {
        if (!EVENTS_CHANNEL.equals(channel.getLabel())) return;
        events = channel;
        channel.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {
            }

            @Override
            public void onStateChange() {
                RTCDataChannelState state = channel.getState();
                if (state == RTCDataChannelState.OPEN) listener.channelOpen();
                if (state == RTCDataChannelState.CLOSED) end();
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                ByteBuffer data = buffer.data;
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                if (!buffer.binary) listener.message(new String(bytes, StandardCharsets.UTF_8));
            }
        });
        if (channel.getState() == RTCDataChannelState.OPEN) listener.channelOpen();
    }

    @Override
    public void onTrack(RTCRtpTransceiver transceiver) {
        if (transceiver.getReceiver().getTrack() instanceof AudioTrack microphone) {
            microphone.addSink((data, bitsPerSample, sampleRate, channels, frames) -> {
                if (bitsPerSample == 16) listener.audio(Pcm.toMono24k(data, sampleRate, channels, frames));
            });
        }
    }

    private void end() {
        if (ended.compareAndSet(false, true)) listener.gone();
    }

    /**
     * Checks that the native library libwebrtc needs beyond the C runtime, PulseAudio's client library, can be
     * loaded. libwebrtc itself is not loaded: its native threads would outlive a short check and complain when the
     * JVM exits.
     */
    public static void requireAvailable() throws Unavailable {
        List<String> directories = new ArrayList<>();
        String extra = System.getenv("LD_LIBRARY_PATH");
        if (extra != null) directories.addAll(List.of(extra.split(":")));
        directories.addAll(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/lib64", "/lib"));
        for (String directory : directories) {
            Path library = Path.of(directory.isEmpty() ? "." : directory, "libpulse.so.0");
            if (!Files.isRegularFile(library)) continue;
            try {
                System.load(library.toAbsolutePath().toString());
                return;
            } catch (UnsatisfiedLinkError e) {
                throw unavailable(e);
            }
        }
        throw unavailable(new UnsatisfiedLinkError("libpulse.so.0 was not found (in LD_LIBRARY_PATH or the system's library folders)"));
    }

    /**
     * One factory for the process, made on first use: loading libwebrtc is slow, and the native side is not made
     * to be torn down and set up again. The headless audio module stands in for a sound card; without one the
     * library aborts the JVM on machines that have none.
     */
    private static synchronized PeerConnectionFactory factory() throws Unavailable {
        if (factory == null) {
            try {
                factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
            } catch (Throwable e) {
                throw unavailable(e);
            }
        }
        return factory;
    }

    private static Unavailable unavailable(Throwable cause) {
        return new Unavailable("WebRTC is not available in this emulator: " + cause.getMessage()
                + ". On Debian, install libpulse0 (apt-get install libpulse0); or connect over the WebSocket.", cause);
    }

    /** An observer that settles {@code done}; shared with the test client. */
    public static SetSessionDescriptionObserver settled(CompletableFuture<Void> done) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    private static <T> T await(CompletableFuture<T> step, String what) throws Unavailable {
        try {
            return step.get(STEP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(what + ": interrupted", e);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Unavailable(what + ": " + cause.getMessage(), cause);
        }
    }

    /** Audio in the shape the Realtime session takes. */
    static final class Pcm {
        private Pcm() {}

        /** The first channel of interleaved PCM16 at {@code sampleRate}, resampled (nearest sample) to 24 kHz. */
        static byte[] toMono24k(byte[] interleaved, int sampleRate, int channels, int frames) {
            int outFrames = (int) ((long) frames * VoiceActivity.SAMPLE_RATE / sampleRate);
            byte[] out = new byte[outFrames * 2];
            for (int i = 0; i < outFrames; i++) {
                int source = (int) ((long) i * sampleRate / VoiceActivity.SAMPLE_RATE) * channels * 2;
                if (source + 1 >= interleaved.length) break;
                out[i * 2] = interleaved[source];
                out[i * 2 + 1] = interleaved[source + 1];
            }
            return out;
        }
    }
}
