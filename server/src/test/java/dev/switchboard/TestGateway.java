package dev.switchboard;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real gateway on a random port, talking over real sockets to an emulator on another random port, with the
 * shared embedded PostgreSQL. Tests reach it with the official SDK or raw HTTP.
 */
public final class TestGateway implements AutoCloseable {
    /** The key the gateway sends upstream; the emulator accepts only this one. */
    public static final String UPSTREAM_KEY = "sk-test-upstream-0123456789abcdef";

    public final Emulator emulator;
    public final Gateway gateway;
    public final String clientKey;
    public final String adminKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestGateway(Emulator emulator, Gateway gateway, String clientKey, String adminKey) {
        this.emulator = emulator;
        this.gateway = gateway;
        this.clientKey = clientKey;
        this.adminKey = adminKey;
    }

    public static TestGateway start() {
        return start(Map.of());
    }

    /** Starts with extra environment variables, which override the defaults below. */
    public static TestGateway start(Map<String, String> extraEnv) {
        Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(UPSTREAM_KEY));
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_API_KEY", UPSTREAM_KEY);
        env.put("OPENAI_BASE_URL", emulator.baseUrl());
        env.put("DATABASE_URL", TestDatabase.sharedUrl());
        env.put("SWITCHBOARD_PORT", "0");
        env.putAll(extraEnv);
        try {
            Gateway gateway = Gateway.start(SettingsLoader.load(env, Optional.empty()));
            String client = gateway.keys().create("test-client", null, false).secret();
            String admin = gateway.keys().create("test-admin", null, true).secret();
            return new TestGateway(emulator, gateway, client, admin);
        } catch (IOException e) {
            emulator.close();
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + gateway.port() + "/v1";
    }

    public String url(String path) {
        return "http://127.0.0.1:" + gateway.port() + path;
    }

    /** The official SDK pointed at the gateway with the client key; no retries, so failures show as they are. */
    public OpenAIClient sdk() {
        return sdk(clientKey);
    }

    public OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        return exchange(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends and returns as soon as the headers arrive, for reading a stream event by event. */
    public HttpResponse<InputStream> open(HttpRequest.Builder request) {
        return exchange(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A POST of a JSON body to a gateway path with the client key. */
    /** A client key: its id (for the admin API) and its secret (for requests). */
    public record ClientKey(String id, String secret) {}

    /** A new client key, of an owner of its own, with {@code limits} (the admin API's limits document) set on it. */
    public ClientKey newKey(String limits) {
        try {
            var created = Json.MAPPER.readTree(send(admin("/api/admin/keys").POST(HttpRequest.BodyPublishers
                    .ofString("{\"name\":\"limited-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "\"}"))).body());
            String id = created.path("id").asText();
            HttpResponse<String> set = send(admin("/api/admin/keys/" + id + "/limits")
                    .PUT(HttpRequest.BodyPublishers.ofString(limits)));
            if (set.statusCode() != 200) throw new IllegalStateException("limits refused: " + set.body());
            return new ClientKey(id, created.path("key").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The secret of a {@linkplain #newKey new key} with {@code limits}. */
    public String keyWithLimits(String limits) {
        return newKey(limits).secret();
    }

    /** A request to the admin API, with the administrator's key. */
    public HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + adminKey)
                .header("Content-Type", "application/json");
    }

    public HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + clientKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    public HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + clientKey).GET();
    }

    @Override
    public void close() {
        gateway.close();
        emulator.close();
    }
}
