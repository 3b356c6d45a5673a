package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Gateway;
import dev.switchboard.TestGateway;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL the gateway started is killed ({@code kill -9} of its postmaster): the gateway starts it
 * again on the same port and data, and requests that need the database are served again.
 */
class EmbeddedPostgresWatchdogTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aKilledEmbeddedPostgresIsStartedAgainAndServes() throws Exception {
        Path dataDir = Files.createTempDirectory("sb-watchdog");
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(TestGateway.UPSTREAM_KEY));
             Gateway gateway = Gateway.start(SettingsLoader.load(Map.of("OPENAI_API_KEY", TestGateway.UPSTREAM_KEY,
                     "OPENAI_BASE_URL", emulator.baseUrl(), "SWITCHBOARD_PORT", "0",
                     "SWITCHBOARD_DATA_DIR", dataDir.toString()), Optional.empty()))) {
            String key = gateway.keys().create("watchdog", null, false).secret();
            assertThat(assistants(gateway, key)).isEqualTo(200);
            EmbeddedPostgresServer embedded = gateway.database().embedded().orElseThrow();
            long first = embedded.pid().orElseThrow();

            ProcessHandle postmaster = ProcessHandle.of(first).orElseThrow();
            assertThat(postmaster.destroyForcibly()).isTrue(); // SIGKILL
            postmaster.onExit().get();

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((embedded.restarts() == 0 || assistants(gateway, key) != 200) && System.nanoTime() < deadline) Thread.sleep(200);
            assertThat(assistants(gateway, key)).isEqualTo(200);
            assertThat(embedded.restarts()).isEqualTo(1);
            assertThat(embedded.pid().orElseThrow()).isNotEqualTo(first);
        }
    }

    /** The status of a request that reads the database (the key is checked there too). */
    private int assistants(Gateway gateway, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/assistants"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
