package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsUseTheEmulatorAndTheEmbeddedDatabase() {
        Settings settings = SettingsLoader.load(Map.of(), Optional.empty());
        assertThat(settings.server().port()).isEqualTo(8080);
        assertThat(settings.upstream().usesEmulator()).isTrue();
        assertThat(settings.database().embedded()).isTrue();
        assertThat(settings.models().chatModel()).isEqualTo("gpt-4o-mini");
        assertThat(settings.upstream().idleTimeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void readsNonSecretSettingsFromTheFileAndLetsTheEnvironmentWin() throws IOException {
        Path file = write("{\"llm_model\":\"gpt-realtime-2025-08-28\",\"llm_base_url\":\"http://localhost:9999/v1/\",\"port\":9000}");
        Settings settings = SettingsLoader.load(Map.of("SWITCHBOARD_PORT", "9100", "OPENAI_API_KEY", "sk-live"), Optional.of(file));
        assertThat(settings.models().chatModel()).isEqualTo("gpt-realtime-2025-08-28");
        assertThat(settings.models().chatApiType()).isEqualTo("Realtime WebSocket");
        assertThat(settings.upstream().baseUrl()).hasValue(URI.create("http://localhost:9999/v1"));
        assertThat(settings.server().port()).isEqualTo(9100);
        assertThat(settings.upstream().usesEmulator()).isFalse();
        assertThat(settings.upstream().apiKey().orElseThrow().toString()).doesNotContain("sk-live");
    }

    @Test
    void refusesSecretsInTheConfigFile() throws IOException {
        Path file = write("{\"openai_api_key\":\"abc\",\"llm_model\":\"sk-proj-abcdef\"}");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of(), Optional.of(file)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2)
                        .allMatch(p -> p.contains("secret") && p.contains("environment")))
                .hasMessageNotContaining("sk-proj-abcdef");
    }

    @Test
    void reportsEveryUnknownOrInvalidSettingAtOnce() throws IOException {
        Path file = write("{\"llm_modle\":\"gpt-4o\"}");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("SWITCHBOARD_PROT", "1", "SWITCHBOARD_PORT", "http",
                "SWITCHBOARD_UPSTREAM_IDLE_TIMEOUT", "-5", "OPENAI_BASE_URL", "ftp://x"), Optional.of(file)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(5))
                .hasMessageContaining("llm_modle").hasMessageContaining("SWITCHBOARD_PROT")
                .hasMessageContaining("SWITCHBOARD_PORT=http").hasMessageContaining("OPENAI_BASE_URL");
    }

    @Test
    void parsesDurationsWithUnits() {
        assertThat(SettingsLoader.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(SettingsLoader.duration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SettingsLoader.duration("5m")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aBaseUrlWithoutAKeyIsALocalModelServerNotTheEmulator() {
        Settings settings = SettingsLoader.load(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"), Optional.empty());
        assertThat(settings.upstream().usesEmulator()).isFalse();
        assertThat(settings.upstream().effectiveBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:11434/v1"));
    }

    @Test
    void turnServersAreReadInBothFormsAndCheckedAtStartUp() {
        var json = SettingsLoader.load(Map.of("OPENAI_REALTIME_TURN_SERVERS",
                "[{\"urls\":\"turn:turn.example.com:3478\",\"username\":\"u\",\"credential\":\"c\"},"
                        + "{\"urls\":[\"stun:stun.example.com:3478\"]}]"), Optional.empty()).models().realtimeTurnServers();
        assertThat(json.toString()).isEqualTo("[{\"urls\":[\"turn:turn.example.com:3478\"],\"username\":\"u\",\"credential\":\"c\"},"
                + "{\"urls\":[\"stun:stun.example.com:3478\"]}]");
        var urls = SettingsLoader.load(Map.of("OPENAI_REALTIME_TURN_SERVERS", "stun:a.example:3478, turns:b.example:443"),
                Optional.empty()).models().realtimeTurnServers();
        assertThat(urls).hasSize(2);
        assertThat(urls.get(1).path("urls").get(0).asText()).isEqualTo("turns:b.example:443");
        assertThat(SettingsLoader.load(Map.of(), Optional.empty()).models().realtimeTurnServers()).isEmpty();

        assertThatThrownBy(() -> SettingsLoader.load(Map.of("OPENAI_REALTIME_TURN_SERVERS", "https://turn.example.com"), Optional.empty()))
                .hasMessageContaining("OPENAI_REALTIME_TURN_SERVERS").hasMessageContaining("not a stun:, stuns:, turn: or turns: URL");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("OPENAI_REALTIME_TURN_SERVERS",
                "[{\"urls\":\"turn:t.example\",\"username\":\"u\",\"credential\":\"hunter2-secret\"},{\"urls\":\"turn:x\"}]"), Optional.empty()))
                .hasMessageContaining("entry 1 is a TURN server and needs both").satisfies(e ->
                        assertThat(e.getMessage()).doesNotContain("hunter2-secret"));
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("OPENAI_REALTIME_TURN_SERVERS", "[not json"), Optional.empty()))
                .hasMessageContaining("not a JSON array");
    }

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }
}
