package dev.switchboard.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.NodeOracle;
import dev.switchboard.TestGateway;
import dev.switchboard.web.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Node SDK's {@code OpenAIRealtimeWS}, which only speaks {@code wss}, completing a text turn through
 * the gateway's relay served over TLS with a self-signed certificate the client is told to trust.
 */
class RealtimeNodeSdkTest {
    @TempDir
    Path dir;

    @Test
    void officialNodeClientCompletesATextTurnOverWss() throws Exception {
        Path keystore = dir.resolve("gateway.p12");
        Path certificate = dir.resolve("gateway.pem");
        String password = "test-keystore-password";
        keytool("-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "gateway", "-keystore", keystore.toString(), "-storepass", password,
                "-file", certificate.toString());

        try (TestGateway gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true",
                "SWITCHBOARD_TLS_KEYSTORE", keystore.toString(), "SWITCHBOARD_TLS_KEYSTORE_PASSWORD", password))) {
            NodeOracle.Run run = NodeOracle.node("realtime-text-turn.js", List.of("hello from node"), Map.of(
                    "SWITCHBOARD_KEY", gw.clientKey,
                    "SWITCHBOARD_BASE_URL", "https://localhost:" + gw.gateway.port() + "/v1",
                    "NODE_EXTRA_CA_CERTS", certificate.toString()));
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            JsonNode result = Json.MAPPER.readTree(run.stdout());
            assertThat(result.path("first").asText()).isEqualTo("session.created");
            assertThat(result.path("text").asText()).isEqualTo("Echo: hello from node");
            assertThat(result.path("status").asText()).isEqualTo("completed");
            assertThat(result.path("usage").path("total_tokens").asInt()).isPositive();
            assertThat(run.stdout() + run.stderr()).doesNotContain(TestGateway.UPSTREAM_KEY);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
