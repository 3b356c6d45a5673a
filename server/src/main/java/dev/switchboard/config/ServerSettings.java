package dev.switchboard.config;

import java.nio.file.Path;

/**
 * The gateway's own listener and local state.
 *
 * @param host         address to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} to serve other machines)
 * @param port         port to bind (default 8080; 0 picks a free one)
 * @param dataDir      where the embedded database lives (default {@code ./data}, {@link #DEFAULT_DATA_DIR}; the
 *                     launcher runs from its installation, so that is the installation's {@code data})
 * @param maxBodyBytes largest request body accepted (default 20 MiB: requests may carry base64 images)
 * @param maxWebSocketMessageBytes largest WebSocket message carried, each way, on every WebSocket the gateway holds:
 *                     its clients' and its own Realtime sockets to OpenAI ({@code SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES};
 *                     default 16 MiB, above the 15 MiB of audio OpenAI takes in one {@code input_audio_buffer.append},
 *                     and room for a screenshot as a data URL in {@code conversation.item.create})
 * @param tls          serve HTTPS and {@code wss} from this key store, when set
 * @param cors         which browser origins may call the API from their pages
 * @param maxUploadBytes largest body that is not JSON (a multipart upload, audio, a file part) forwarded to OpenAI;
 *                     such bodies are streamed, never held, so the bound is OpenAI's, not the heap's
 *                     ({@code SWITCHBOARD_MAX_UPLOAD_BYTES}; default {@link #DEFAULT_MAX_UPLOAD_BYTES})
 */
public record ServerSettings(String host, int port, Path dataDir, long maxBodyBytes, long maxWebSocketMessageBytes,
                             java.util.Optional<Tls> tls, Cors cors, long maxUploadBytes) {
    /** The default of {@code maxWebSocketMessageBytes}: 16 MiB. */
    public static final long DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES = 16L * 1024 * 1024;
    /**
     * The default of {@code maxUploadBytes}: 1 GiB. The largest body OpenAI takes in one request is a 512 MB file
     * ({@code POST /v1/files}); an Upload's 8 GB arrives in parts of at most 64 MB each. Twice the largest leaves room
     * for the form around it and for OpenAI raising its limit, and still refuses a runaway body early.
     */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 1024L * 1024 * 1024;
    public static final Path DEFAULT_DATA_DIR = Path.of("data");

    public ServerSettings(String host, int port, Path dataDir, long maxBodyBytes, long maxWebSocketMessageBytes,
                          java.util.Optional<Tls> tls, Cors cors) {
        this(host, port, dataDir, maxBodyBytes, maxWebSocketMessageBytes, tls, cors, DEFAULT_MAX_UPLOAD_BYTES);
    }

    public ServerSettings withDataDir(Path dataDir) {
        return new ServerSettings(host, port, dataDir, maxBodyBytes, maxWebSocketMessageBytes, tls, cors, maxUploadBytes);
    }

    /**
     * Cross-origin access for browsers: only the origins listed ({@code SWITCHBOARD_CORS_ORIGINS}, exact
     * {@code scheme://host[:port]} values; none by default), and cookies or HTTP authentication only when
     * {@code SWITCHBOARD_CORS_CREDENTIALS=true} (the gateway's keys are sent as a header, which needs no credentials).
     */
    public record Cors(java.util.List<String> origins, boolean credentials) {
        public static final Cors NONE = new Cors(java.util.List.of(), false);
    }

    /**
     * A PKCS#12 key store with the server's certificate and private key.
     *
     * @param keystore {@code SWITCHBOARD_TLS_KEYSTORE}
     * @param password {@code SWITCHBOARD_TLS_KEYSTORE_PASSWORD} (a secret: environment only)
     */
    public record Tls(Path keystore, Secret password) {}

    /** {@code https} or {@code http}, for the URLs the gateway announces. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }
}
