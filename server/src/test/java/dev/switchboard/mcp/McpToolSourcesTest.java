package dev.switchboard.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.SseFrames;
import dev.switchboard.TestDatabase;
import dev.switchboard.TestGateway;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.DatabaseSettings;
import dev.switchboard.config.Secret;
import dev.switchboard.config.SettingsLoader;
import dev.switchboard.store.Database;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.web.Json;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Agents use the tools of configured MCP servers; here the gateway's own /mcp, reached over HTTP like any other. */
class McpToolSourcesTest {

    @Test
    void anAgentCallsAToolOfAConfiguredMcpServer() throws Exception {
        String key;
        try (Database database = Database.connect(new DatabaseSettings(Optional.of(Secret.of(TestDatabase.sharedUrl()))), Path.of("unused"))) {
            database.migrate();
            key = new ApiKeys(database.jdbi()).create("self-mcp", null, false).secret();
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (TestGateway gw = TestGateway.start(Map.of("SWITCHBOARD_PORT", String.valueOf(port), "OPENAI_STREAMING_ENABLED", "true",
                "SELF_MCP_KEY", key, "SWITCHBOARD_MCP_SERVERS",
                "[{\"name\":\"self\",\"url\":\"http://127.0.0.1:" + port + "/mcp\",\"key_env\":\"SELF_MCP_KEY\"}]"))) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (gw.gateway.agentTools().find("self.math.calculate").isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(gw.gateway.agentTools().find("self.math.calculate")).isPresent();
            assertThat(gw.gateway.agentTools().find("self.document.vision_ocr")).isPresent();

            gw.emulator.script("agent-remote", "{\"tool_calls\":[{\"name\":\"self__math__calculate\",\"arguments\":{\"expression\":\"6*7\"}}]}");
            String session = Json.MAPPER.readTree(gw.send(gw.post("/api/agent/sessions",
                    "{\"model\":\"agent-remote\",\"tools\":[\"self.math.calculate\"]}")).body()).path("id").asText();
            List<SseFrame> frames = SseFrames.parse(gw.send(gw.post("/api/agent/stream",
                    "{\"session_id\":\"" + session + "\",\"input\":\"six times seven\"}")).body());
            var result = SseFrames.json(frames.stream().filter(f -> "tool-result".equals(f.event())).findFirst().orElseThrow());
            assertThat(result.path("name").asText()).isEqualTo("self.math.calculate");
            assertThat(result.path("output").asText()).isEqualTo("42");
        }
    }

    @Test
    void aServerKeyMustComeFromTheEnvironment() {
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("SWITCHBOARD_MCP_SERVERS",
                "[{\"name\":\"docs\",\"url\":\"https://docs.example/mcp\",\"key_env\":\"NOT_SET\"}]"), Optional.empty()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NOT_SET");
    }
}
