package dev.switchboard.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads the configuration from environment variables and an optional JSON file of non-secret settings.
 * The environment wins over the file. Every problem (an unknown key, a bad value, a secret in the file) is
 * collected and reported at once, so start-up fails with the full list rather than one problem per try.
 */
public final class SettingsLoader {
    /** The file's keys and the environment variable that overrides each. */
    private static final Map<String, String> FILE_KEYS = new LinkedHashMap<>();

    static {
        FILE_KEYS.put("llm_model", "SWITCHBOARD_LLM_MODEL");
        FILE_KEYS.put("llm_base_url", "OPENAI_BASE_URL");
        FILE_KEYS.put("host", "SWITCHBOARD_HOST");
        FILE_KEYS.put("port", "SWITCHBOARD_PORT");
        FILE_KEYS.put("data_dir", "SWITCHBOARD_DATA_DIR");
        FILE_KEYS.put("max_body_bytes", "SWITCHBOARD_MAX_BODY_BYTES");
        FILE_KEYS.put("max_upload_bytes", "SWITCHBOARD_MAX_UPLOAD_BYTES");
        FILE_KEYS.put("max_websocket_message_bytes", "SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES");
        FILE_KEYS.put("tls_keystore", "SWITCHBOARD_TLS_KEYSTORE");
        FILE_KEYS.put("cors_origins", "SWITCHBOARD_CORS_ORIGINS");
        FILE_KEYS.put("cors_credentials", "SWITCHBOARD_CORS_CREDENTIALS");
        FILE_KEYS.put("upstream_connect_timeout", "SWITCHBOARD_UPSTREAM_CONNECT_TIMEOUT");
        FILE_KEYS.put("upstream_response_timeout", "SWITCHBOARD_UPSTREAM_RESPONSE_TIMEOUT");
        FILE_KEYS.put("upstream_idle_timeout", "SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT");
        FILE_KEYS.put("upstream_retries", "SWITCHBOARD_UPSTREAM_RETRIES");
        FILE_KEYS.put("streaming_enabled", "OPENAI_STREAMING_ENABLED");
        FILE_KEYS.put("realtime_enabled", "OPENAI_REALTIME_ENABLED");
        FILE_KEYS.put("realtime_model", "OPENAI_REALTIME_MODEL");
        FILE_KEYS.put("realtime_voice", "OPENAI_REALTIME_VOICE");
        FILE_KEYS.put("realtime_turn_servers", "OPENAI_REALTIME_TURN_SERVERS");
        FILE_KEYS.put("realtime_models", "SWITCHBOARD_REALTIME_MODELS");
        FILE_KEYS.put("realtime_client_secrets", "SWITCHBOARD_REALTIME_CLIENT_SECRETS");
        FILE_KEYS.put("realtime_secret_ttl", "SWITCHBOARD_REALTIME_SECRET_TTL");
        FILE_KEYS.put("realtime_max_session", "SWITCHBOARD_REALTIME_MAX_SESSION");
        FILE_KEYS.put("transcription_model", "OPENAI_TRANSCRIPTION_MODEL");
        FILE_KEYS.put("tts_model", "OPENAI_TTS_MODEL");
        FILE_KEYS.put("tts_voice", "OPENAI_TTS_VOICE");
        FILE_KEYS.put("tts_format", "OPENAI_TTS_FORMAT");
        FILE_KEYS.put("debug_events", "SWITCHBOARD_DEBUG_EVENTS");
        FILE_KEYS.put("heartbeat_interval", "SWITCHBOARD_HEARTBEAT_INTERVAL");
        FILE_KEYS.put("stream_retention", "SWITCHBOARD_STREAM_RETENTION");
        FILE_KEYS.put("shutdown_grace", "SWITCHBOARD_SHUTDOWN_GRACE");
        FILE_KEYS.put("instance_lease", "SWITCHBOARD_INSTANCE_LEASE");
        FILE_KEYS.put("instance_heartbeat", "SWITCHBOARD_INSTANCE_HEARTBEAT");
        FILE_KEYS.put("agent_max_tool_rounds", "SWITCHBOARD_AGENT_MAX_TOOL_ROUNDS");
        FILE_KEYS.put("agent_tool_timeout", "SWITCHBOARD_AGENT_TOOL_TIMEOUT");
        FILE_KEYS.put("vision_model", "SWITCHBOARD_VISION_MODEL");
        FILE_KEYS.put("document_max_bytes", "SWITCHBOARD_DOCUMENT_MAX_BYTES");
        FILE_KEYS.put("document_url_allowlist", "SWITCHBOARD_DOCUMENT_URL_ALLOWLIST");
        FILE_KEYS.put("mcp_servers", "SWITCHBOARD_MCP_SERVERS");
        FILE_KEYS.put("llm_fallback_model", "SWITCHBOARD_CHAT_FALLBACK_MODEL");
        FILE_KEYS.put("chat_realtime_sockets", "SWITCHBOARD_CHAT_REALTIME_SOCKETS");
        FILE_KEYS.put("chat_realtime_wait", "SWITCHBOARD_CHAT_REALTIME_WAIT");
        FILE_KEYS.put("chatkit_workflow_id", "OPENAI_CHATKIT_WORKFLOW_ID");
    }

    /** Secrets come only from the environment. */
    private static final Set<String> SECRET_VARIABLES = Set.of("OPENAI_API_KEY", "DATABASE_URL", "REDIS_URL",
            "SWITCHBOARD_TLS_KEYSTORE_PASSWORD");
    /** Read elsewhere (the launcher, this loader's caller); known so that they are not reported as typos. */
    private static final Set<String> OTHER_VARIABLES = Set.of("SWITCHBOARD_CONFIG", "SWITCHBOARD_JAVA_OPTS");
    /** OpenTelemetry's standard variables, environment only, as every OpenTelemetry SDK reads them. */
    private static final Set<String> TRACE_VARIABLES = Set.of("OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER",
            "OTEL_TRACES_SAMPLER_ARG", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED", "OTEL_BSP_SCHEDULE_DELAY");

    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> raw = new LinkedHashMap<>();
    /** The whole environment, for variables the configuration names (an MCP server's key_env). */
    private Map<String, String> environment = Map.of();

    private SettingsLoader() {}

    /**
     * @param env        the environment (System.getenv() in production)
     * @param configFile the JSON file to read, if any
     * @throws ConfigException listing every problem found
     */
    public static Settings load(Map<String, String> env, Optional<Path> configFile) {
        SettingsLoader loader = new SettingsLoader();
        loader.environment = env;
        configFile.ifPresent(loader::readFile);
        loader.readEnvironment(env);
        Settings settings = loader.build();
        if (!loader.problems.isEmpty()) throw new ConfigException(loader.problems);
        return settings;
    }

    /** The config file named by {@code SWITCHBOARD_CONFIG}, else {@code ./config.json} when it exists. */
    public static Optional<Path> configFile(Map<String, String> env) {
        String named = env.get("SWITCHBOARD_CONFIG");
        if (named != null && !named.isBlank()) return Optional.of(Path.of(named));
        Path local = Path.of("config.json");
        return Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
    }

    private void readFile(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            problems.add("Cannot read config file " + file + ": " + e.getMessage());
            return;
        }
        if (root == null || !root.isObject()) {
            problems.add("Config file " + file + " must hold one JSON object, such as {\"llm_model\": \"gpt-4o-mini\"}.");
            return;
        }
        for (var field : root.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (looksSecret(key) || (value.isTextual() && value.asText().startsWith("sk-"))) {
                problems.add("Config file " + file + " holds a secret under '" + key + "'. Secrets are read only from "
                        + "the environment (OPENAI_API_KEY, DATABASE_URL, REDIS_URL): remove it from the file.");
            } else if (!FILE_KEYS.containsKey(key)) {
                problems.add("Unknown key '" + key + "' in config file " + file + ". Known keys: "
                        + String.join(", ", FILE_KEYS.keySet()) + ".");
            } else if (value.isContainerNode()) {
                problems.add("Config key '" + key + "' must be a string, number or boolean.");
            } else {
                raw.put(FILE_KEYS.get(key), value.asText());
            }
        }
    }

    private void readEnvironment(Map<String, String> env) {
        Set<String> known = new TreeSet<>(FILE_KEYS.values());
        known.addAll(SECRET_VARIABLES);
        known.addAll(OTHER_VARIABLES);
        known.addAll(TRACE_VARIABLES);
        for (var entry : env.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith("SWITCHBOARD_") && !known.contains(name)) {
                problems.add("Unknown environment variable " + name + ". Known SWITCHBOARD_ variables: "
                        + String.join(", ", known.stream().filter(k -> k.startsWith("SWITCHBOARD_")).toList()) + ".");
            } else if (known.contains(name) && !entry.getValue().isBlank()) {
                raw.put(name, entry.getValue().trim());
            }
        }
    }

    private Settings build() {
        var server = new ServerSettings(
                text("SWITCHBOARD_HOST", "127.0.0.1"),
                parsed("SWITCHBOARD_PORT", 8080, SettingsLoader::port),
                Path.of(text("SWITCHBOARD_DATA_DIR", ServerSettings.DEFAULT_DATA_DIR.toString())),
                parsed("SWITCHBOARD_MAX_BODY_BYTES", 20L * 1024 * 1024, SettingsLoader::positiveLong),
                parsed("SWITCHBOARD_MAX_WEBSOCKET_MESSAGE_BYTES", ServerSettings.DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES,
                        SettingsLoader::webSocketMessageLimit),
                tls(), cors(),
                parsed("SWITCHBOARD_MAX_UPLOAD_BYTES", ServerSettings.DEFAULT_MAX_UPLOAD_BYTES, SettingsLoader::positiveLong));
        var upstream = new UpstreamSettings(
                secret("OPENAI_API_KEY"),
                Optional.ofNullable(raw.get("OPENAI_BASE_URL")).map(this::baseUrl),
                parsed("SWITCHBOARD_UPSTREAM_CONNECT_TIMEOUT", Duration.ofSeconds(10), SettingsLoader::duration),
                parsed("SWITCHBOARD_UPSTREAM_RESPONSE_TIMEOUT", Duration.ofMinutes(10), SettingsLoader::duration),
                parsed("SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT", Duration.ofSeconds(120), SettingsLoader::duration),
                parsed("SWITCHBOARD_UPSTREAM_RETRIES", 0, SettingsLoader::retries));
        var models = new ModelSettings(
                text("SWITCHBOARD_LLM_MODEL", "gpt-4o-mini"),
                text("OPENAI_REALTIME_MODEL", "gpt-realtime"),
                text("OPENAI_REALTIME_VOICE", "marin"),
                turnServers(raw.get("OPENAI_REALTIME_TURN_SERVERS")),
                Optional.ofNullable(raw.get("OPENAI_TRANSCRIPTION_MODEL")),
                text("OPENAI_TTS_MODEL", "gpt-4o-mini-tts"),
                text("OPENAI_TTS_VOICE", "alloy"),
                text("OPENAI_TTS_FORMAT", "mp3"),
                realtimeModels(text("SWITCHBOARD_REALTIME_MODELS", ""), text("OPENAI_REALTIME_MODEL", "gpt-realtime")));
        var features = new FeatureSettings(
                parsed("OPENAI_STREAMING_ENABLED", false, SettingsLoader::bool),
                parsed("OPENAI_REALTIME_ENABLED", false, SettingsLoader::bool),
                parsed("SWITCHBOARD_DEBUG_EVENTS", false, SettingsLoader::bool),
                parsed("SWITCHBOARD_REALTIME_CLIENT_SECRETS", false, SettingsLoader::secretMode),
                parsed("SWITCHBOARD_REALTIME_SECRET_TTL", Duration.ofSeconds(600), SettingsLoader::secretLifetime),
                parsed("SWITCHBOARD_REALTIME_MAX_SESSION", Duration.ofMinutes(30), SettingsLoader::positiveDuration));
        var streams = new StreamSettings(
                parsed("SWITCHBOARD_HEARTBEAT_INTERVAL", Duration.ofSeconds(15), SettingsLoader::duration),
                parsed("SWITCHBOARD_STREAM_RETENTION", Duration.ofMinutes(10), SettingsLoader::duration),
                secret("REDIS_URL"),
                parsed("SWITCHBOARD_SHUTDOWN_GRACE", Duration.ofSeconds(20), SettingsLoader::positiveDuration));
        var agent = new AgentSettings(
                parsed("SWITCHBOARD_AGENT_MAX_TOOL_ROUNDS", 5, v -> (int) positiveLong(v)),
                parsed("SWITCHBOARD_AGENT_TOOL_TIMEOUT", Duration.ofSeconds(20), SettingsLoader::duration),
                text("SWITCHBOARD_VISION_MODEL", "gpt-4o-mini"),
                parsed("SWITCHBOARD_DOCUMENT_MAX_BYTES", 20L * 1024 * 1024, SettingsLoader::positiveLong),
                java.util.Arrays.stream(text("SWITCHBOARD_DOCUMENT_URL_ALLOWLIST", "").split(","))
                        .map(String::trim).filter(h -> !h.isEmpty()).map(h -> h.toLowerCase(Locale.ROOT))
                        .collect(java.util.stream.Collectors.toUnmodifiableSet()),
                mcpServers(raw.get("SWITCHBOARD_MCP_SERVERS")));
        var chat = new ChatSettings(
                text("SWITCHBOARD_CHAT_FALLBACK_MODEL", "gpt-4o-mini"),
                parsed("SWITCHBOARD_CHAT_REALTIME_SOCKETS", 64, v -> (int) positiveLong(v)),
                parsed("SWITCHBOARD_CHAT_REALTIME_WAIT", Duration.ofSeconds(2), SettingsLoader::duration),
                Optional.ofNullable(raw.get("OPENAI_CHATKIT_WORKFLOW_ID")));
        return new Settings(server, upstream, new DatabaseSettings(secret("DATABASE_URL"),
                parsed("SWITCHBOARD_INSTANCE_LEASE", DatabaseSettings.INSTANCE_LEASE, SettingsLoader::positiveDuration),
                parsed("SWITCHBOARD_INSTANCE_HEARTBEAT", DatabaseSettings.INSTANCE_HEARTBEAT, SettingsLoader::positiveDuration)), models, features, streams, agent, chat,
                traces());
    }

    /**
     * OpenTelemetry's variables, with their standard meaning. Only OTLP over HTTP with protobuf is exported (the
     * JDK's HTTP client sends it; gRPC would need a gRPC stack the gateway does not ship), so any other protocol
     * or exporter is refused by name rather than ignored.
     */
    private TraceSettings traces() {
        TraceSettings off = TraceSettings.off();
        String exporter = text("OTEL_TRACES_EXPORTER", "otlp").toLowerCase(Locale.ROOT);
        if (!exporter.equals("otlp") && !exporter.equals("none")) {
            problems.add("OTEL_TRACES_EXPORTER=" + exporter + " is not supported: use 'otlp' (the default) or 'none'.");
        }
        String protocol = text("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", text("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        if (!protocol.equals("http/protobuf")) {
            problems.add("OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol + " is not supported: the gateway exports OTLP over "
                    + "HTTP with protobuf ('http/protobuf', a collector's port 4318), not gRPC or JSON.");
        }
        String sampler = text("OTEL_TRACES_SAMPLER", off.sampler()).toLowerCase(Locale.ROOT);
        if (!TraceSettings.SAMPLERS.contains(sampler)) {
            problems.add("OTEL_TRACES_SAMPLER=" + sampler + " is not supported: use one of "
                    + String.join(", ", TraceSettings.SAMPLERS) + ".");
        }
        double ratio = parsed("OTEL_TRACES_SAMPLER_ARG", 1.0, SettingsLoader::ratio);
        Duration delay = parsed("OTEL_BSP_SCHEDULE_DELAY", off.scheduleDelay(), v -> Duration.ofMillis(positiveLong(v)));
        String serviceName = text("OTEL_SERVICE_NAME", off.serviceName());
        Map<String, Secret> headers = otlpHeaders(raw.containsKey("OTEL_EXPORTER_OTLP_TRACES_HEADERS")
                ? "OTEL_EXPORTER_OTLP_TRACES_HEADERS" : "OTEL_EXPORTER_OTLP_HEADERS");
        Optional<URI> endpoint = Optional.empty();
        if (raw.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
            endpoint = otlpEndpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
        } else if (raw.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")) {
            endpoint = otlpEndpoint("OTEL_EXPORTER_OTLP_ENDPOINT", "v1/traces");
        }
        if (exporter.equals("none") || parsed("OTEL_SDK_DISABLED", false, SettingsLoader::bool)) endpoint = Optional.empty();
        return new TraceSettings(endpoint, headers, serviceName, sampler, ratio, delay);
    }

    /** An http(s) URL; the base variable gets the signal's path appended, as the specification says. */
    private Optional<URI> otlpEndpoint(String variable, String signalPath) {
        String value = raw.get(variable);
        try {
            URI uri = new URI(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new java.net.URISyntaxException(value, "not an http(s) URL with a host");
            }
            if (signalPath.isEmpty()) return Optional.of(uri);
            String base = value.endsWith("/") ? value : value + "/";
            return Optional.of(URI.create(base + signalPath));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            // The value is not echoed: a collector's URL may carry a token.
            problems.add(variable + " is not an http(s) URL such as http://localhost:4318.");
            return Optional.empty();
        }
    }

    /** {@code key1=value1,key2=value2}, values URL-encoded, as the OpenTelemetry specification reads them. */
    private Map<String, Secret> otlpHeaders(String variable) {
        Map<String, Secret> headers = new LinkedHashMap<>();
        String value = raw.get(variable);
        if (value == null) return headers;
        for (String pair : value.split(",")) {
            if (pair.isBlank()) continue;
            int equals = pair.indexOf('=');
            String name = equals <= 0 ? "" : pair.substring(0, equals).strip();
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                problems.add(variable + " must be key=value pairs separated by commas, such as "
                        + "'x-api-key=...,x-team=ops'; one of them is not (values are not shown: they may be secrets).");
                return Map.of();
            }
            String decoded = java.net.URLDecoder.decode(pair.substring(equals + 1).strip(), java.nio.charset.StandardCharsets.UTF_8);
            if (decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                problems.add(variable + " has a control character in the value of header '" + name + "'.");
                return Map.of();
            }
            headers.put(name, Secret.of(decoded));
        }
        return headers;
    }

    private static double ratio(String value) {
        double ratio = Double.parseDouble(value);
        if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("must be a ratio from 0 to 1");
        return ratio;
    }

    /**
     * {@code [{"name": "docs", "url": "https://host/mcp", "key_env": "DOCS_MCP_KEY"}]}: the key itself stays in the
     * environment variable {@code key_env} names, never in the configuration.
     */
    private java.util.List<McpServerSettings> mcpServers(String json) {
        java.util.List<McpServerSettings> servers = new ArrayList<>();
        if (json == null || json.isBlank()) return servers;
        try {
            for (JsonNode server : new ObjectMapper().readTree(json)) {
                String name = server.path("name").asText("");
                String url = server.path("url").asText("");
                if (!name.matches("[a-z0-9_-]{1,32}")) throw new IllegalArgumentException("name '" + name + "' must be 1 to 32 of a-z 0-9 _ -");
                URI uri = URI.create(url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) throw new IllegalArgumentException("url '" + url + "' is not http(s)");
                Optional<Secret> key = Optional.empty();
                if (server.hasNonNull("key_env")) {
                    String variable = server.get("key_env").asText();
                    String value = environment.get(variable);
                    if (value == null || value.isBlank()) throw new IllegalArgumentException("key_env names " + variable + ", which is not set");
                    key = Optional.of(Secret.of(value));
                }
                servers.add(new McpServerSettings(name, uri, key));
            }
        } catch (Exception e) {
            problems.add("SWITCHBOARD_MCP_SERVERS is not valid: " + e.getMessage()
                    + ". Expected [{\"name\": \"docs\", \"url\": \"https://host/mcp\", \"key_env\": \"DOCS_MCP_KEY\"}].");
        }
        return servers;
    }

    private ServerSettings.Cors cors() {
        java.util.List<String> origins = new ArrayList<>();
        for (String origin : text("SWITCHBOARD_CORS_ORIGINS", "").split(",")) {
            String trimmed = origin.strip();
            if (trimmed.isEmpty()) continue;
            if (!trimmed.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                problems.add("SWITCHBOARD_CORS_ORIGINS holds '" + trimmed + "', which is not an origin: give exact origins such as "
                        + "https://app.example.com or http://localhost:3000 (no path, no wildcard).");
                continue;
            }
            origins.add(trimmed);
        }
        return new ServerSettings.Cors(java.util.List.copyOf(origins),
                parsed("SWITCHBOARD_CORS_CREDENTIALS", false, SettingsLoader::bool));
    }

    private Optional<ServerSettings.Tls> tls() {
        String keystore = raw.get("SWITCHBOARD_TLS_KEYSTORE");
        Optional<Secret> password = secret("SWITCHBOARD_TLS_KEYSTORE_PASSWORD");
        if (keystore == null) {
            if (password.isPresent()) problems.add("SWITCHBOARD_TLS_KEYSTORE_PASSWORD is set without SWITCHBOARD_TLS_KEYSTORE.");
            return Optional.empty();
        }
        Path path = Path.of(keystore);
        if (!java.nio.file.Files.isReadable(path)) {
            problems.add("SWITCHBOARD_TLS_KEYSTORE=" + keystore + " is not a readable file. Give the path of a PKCS#12 "
                    + "key store holding the server's certificate and key.");
            return Optional.empty();
        }
        if (password.isEmpty()) {
            problems.add("SWITCHBOARD_TLS_KEYSTORE is set but SWITCHBOARD_TLS_KEYSTORE_PASSWORD is not; set it in the environment.");
            return Optional.empty();
        }
        return Optional.of(new ServerSettings.Tls(path, password.get()));
    }

    /** {@code upstream} hands clients OpenAI's secrets; {@code gateway} (the default) the gateway's own tokens. */
    private static boolean secretMode(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "gateway" -> false;
            case "upstream" -> true;
            default -> throw new IllegalArgumentException("use 'gateway' (the default) or 'upstream'");
        };
    }

    private static Duration positiveDuration(String value) {
        Duration duration = duration(value);
        if (duration.isZero() || duration.isNegative()) throw new IllegalArgumentException("must be more than zero");
        return duration;
    }

    private static Duration secretLifetime(String value) {
        Duration lifetime = duration(value);
        if (lifetime.toSeconds() < 10 || lifetime.toSeconds() > 7200) {
            throw new IllegalArgumentException("OpenAI accepts 10 s to 7200 s");
        }
        return lifetime;
    }

    /** Never echoes the value: TURN entries carry credentials. */
    private com.fasterxml.jackson.databind.node.ArrayNode turnServers(String value) {
        try {
            return IceServers.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add("OPENAI_REALTIME_TURN_SERVERS is not valid: " + e.getMessage() + ". Expected a JSON array such as "
                    + "[{\"urls\": \"turn:turn.example.com:3478\", \"username\": \"u\", \"credential\": \"c\"}] "
                    + "or comma-separated stun:/turn: URLs.");
            return IceServers.parse(null);
        }
    }

    private String text(String name, String fallback) {
        return raw.getOrDefault(name, fallback);
    }

    private Optional<Secret> secret(String name) {
        return Optional.ofNullable(raw.get(name)).map(Secret::of);
    }

    private <T> T parsed(String name, T fallback, Function<String, T> parser) {
        String value = raw.get(name);
        if (value == null) return fallback;
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            problems.add(name + "=" + value + " is not valid: " + e.getMessage());
            return fallback;
        }
    }

    private URI baseUrl(String value) {
        try {
            URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problems.add("OPENAI_BASE_URL (or llm_base_url) must be an http(s) URL such as https://api.openai.com/v1, got '"
                    + value + "'.");
            return null;
        }
    }

    private static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("key") || k.contains("secret") || k.contains("password") || k.contains("token")
                || k.equals("database_url") || k.equals("redis_url");
    }

    private static int port(String value) {
        int port = Integer.parseInt(value);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("a port is 0 to 65535");
        return port;
    }

    private static long positiveLong(String value) {
        long n = Long.parseLong(value);
        if (n <= 0) throw new IllegalArgumentException("must be positive");
        return n;
    }

    /** At least 64 KiB (what Jetty allows by default), at most 1 GiB: a message is held whole in memory. */
    private static long webSocketMessageLimit(String value) {
        long n = Long.parseLong(value.strip());
        if (n < 64 * 1024 || n > 1024L * 1024 * 1024) throw new IllegalArgumentException("must be from 65536 to 1073741824 bytes");
        return n;
    }

    private static int retries(String value) {
        int retries = Integer.parseInt(value.strip());
        if (retries < 0 || retries > 5) throw new IllegalArgumentException("must be from 0 to 5");
        return retries;
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("use true or false");
        };
    }

    /** Seconds as a plain number, or a number with a unit: {@code 250ms}, {@code 30s}, {@code 5m}. */
    static Duration duration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        if (v.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
        else if (v.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).trim()));
        else if (v.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).trim()));
        else d = Duration.ofSeconds(Long.parseLong(v));
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("must be positive, like 30s or 250ms");
        return d;
    }

    private static java.util.Set<String> realtimeModels(String configured, String defaultModel) {
        java.util.Set<String> models = java.util.Arrays.stream(configured.split(",")).map(String::trim)
                .filter(m -> !m.isEmpty()).collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new));
        if (models.isEmpty()) models.addAll(java.util.List.of(defaultModel, "gpt-realtime", "gpt-realtime-mini"));
        return java.util.Collections.unmodifiableSet(models);
    }
}
