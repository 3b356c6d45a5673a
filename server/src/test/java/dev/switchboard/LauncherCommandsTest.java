package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The launcher's sub-commands, run in-process against the test database. */
class LauncherCommandsTest {
    record Run(int exit, String out, String err) {}

    @Test
    void keysCreateListAndRevoke() throws Exception {
        Run created = run("keys", "create", "--name", "cli-app", "--owner", "team-cli");
        assertThat(created.exit()).isZero();
        Matcher id = Pattern.compile("key (key_[0-9a-f]+)").matcher(created.out());
        assertThat(id.find()).isTrue();
        assertThat(created.out()).containsPattern("\nsb-[A-Za-z0-9_-]{43}\n");

        assertThat(run("keys", "list").out()).contains(id.group(1), "cli-app", "team-cli", "active");
        assertThat(run("keys", "revoke", id.group(1)).exit()).isZero();
        assertThat(run("keys", "list").out()).containsPattern(id.group(1) + ".*revoked");
        assertThat(run("keys", "revoke", "key_missing").exit()).isEqualTo(1);
        assertThat(run("keys", "create").exit()).isEqualTo(2);
    }

    /** Issue 15, item 6: without --owner a key gets a new owner of its own, never its name. */
    @Test
    void keysCreateGivesANewOwnerUnlessOneIsGiven() throws Exception {
        Matcher own = Pattern.compile("owner (own_[0-9a-f]{32})\\)").matcher(run("keys", "create", "--name", "admin").out());
        assertThat(own.find()).isTrue();
        Matcher again = Pattern.compile("owner (own_[0-9a-f]{32})\\)").matcher(run("keys", "create", "--name", "admin").out());
        assertThat(again.find()).isTrue();
        assertThat(again.group(1)).isNotEqualTo(own.group(1));
        assertThat(run("keys", "create", "--name", "cli-shared", "--owner", own.group(1)).out()).contains("owner " + own.group(1) + ")");
        assertThat(run("keys", "list").out()).contains(own.group(1), again.group(1));
        // A forgotten value is refused rather than taken for "no owner".
        Run missing = run("keys", "create", "--name", "cli-x", "--owner");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--owner needs a value");
    }

    @Test
    void doctorPassesOfflineAndNamesTheModelType() throws Exception {
        Run rest = run("doctor");
        assertThat(rest.exit()).as(rest.out()).isZero();
        // This machine has what libwebrtc needs (./switchboard test installs libpulse0).
        assertThat(rest.out()).contains("OK    JDK", "OK    database", "migrated", "built-in emulator",
                "OK    emulator WebRTC calls: libpulse.so.0",
                "chat model gpt-4o-mini: a REST model", "chat API type: REST", "chat fallbacks in the last 24 h: ");
        assertThat(rest.out()).startsWith("Switchboard " + dev.switchboard.config.Version.VALUE);
        Run realtime = run(Map.of("SWITCHBOARD_LLM_MODEL", "gpt-realtime"), "doctor");
        assertThat(realtime.out()).contains("chat model gpt-realtime: a Realtime model",
                "chat API type: Realtime WebSocket; fallback model gpt-4o-mini over REST");
    }

    @Test
    void doctorFailsWithAFixForAnUnreachableUpstreamOrARefusedKey() throws Exception {
        Run unreachable = run(Map.of("OPENAI_API_KEY", "sk-x", "OPENAI_BASE_URL", "http://127.0.0.1:1/v1"), "doctor");
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.out()).contains("FAIL  upstream http://127.0.0.1:1/v1 unreachable", "fix:");

        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-right-key"))) {
            Run refused = run(Map.of("OPENAI_API_KEY", "sk-wrong-key", "OPENAI_BASE_URL", emulator.baseUrl()), "doctor");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.out()).contains("refused the key (HTTP 401)").doesNotContain("sk-wrong-key");
        }
    }

    @Test
    void doctorReportsConfigurationProblems() throws Exception {
        Run run = run(Map.of("SWITCHBOARD_PORT", "eighty"), "doctor");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL  configuration", "SWITCHBOARD_PORT=eighty");
    }

    @Test
    void devCertMakesACertificateTheGatewayServesHttpsWith(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        Run made = run(Map.of("SWITCHBOARD_DATA_DIR", data.toString()), "dev-cert");
        assertThat(made.exit()).as(made.err()).isZero();
        java.nio.file.Path keystore = data.resolve("tls/dev.p12");
        String password = java.nio.file.Files.readString(data.resolve("tls/dev.p12.password"));
        assertThat(made.out()).contains("SWITCHBOARD_TLS_KEYSTORE=" + keystore).doesNotContain(password);
        for (String file : List.of("tls/dev.p12.password", "tls/dev.p12")) {
            assertThat(java.nio.file.Files.getPosixFilePermissions(data.resolve(file))).as(file)
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        }
        try (TestGateway tls = TestGateway.start(Map.of("SWITCHBOARD_TLS_KEYSTORE", keystore.toString(),
                "SWITCHBOARD_TLS_KEYSTORE_PASSWORD", password))) {
            var trusted = java.security.KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            try (var pem = java.nio.file.Files.newInputStream(data.resolve("tls/dev.pem"))) {
                trusted.setCertificateEntry("dev", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(pem));
            }
            var trust = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            var context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            var client = java.net.http.HttpClient.newBuilder().sslContext(context).build();
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + tls.gateway.port() + "/healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
        assertThat(run(Map.of("SWITCHBOARD_DATA_DIR", data.toString()), "dev-cert").exit()).isEqualTo(1);
    }
    @Test
    void keysLimitsSetsWhatItIsGivenAndKeepsTheRest() throws Exception {
        Matcher created = Pattern.compile("key (key_[0-9a-f]+)").matcher(run("keys", "create", "--name", "cli-limited").out());
        assertThat(created.find()).isTrue();
        String id = created.group(1);

        Run set = run("keys", "limits", id, "--rpm", "30", "--models", "gpt-4o-mini, gpt-realtime");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("\"requests_per_minute\":30", "\"models\":[\"gpt-4o-mini\",\"gpt-realtime\"]");
        Run changed = run("keys", "limits", id, "--streams", "2", "--rpm", "none");
        assertThat(changed.out()).contains("\"concurrent_streams\":2", "\"requests_per_minute\":null", "gpt-realtime");
        assertThat(run("keys", "limits", id).out()).isEqualTo(changed.out());

        // Checked as the admin API checks them; nothing is changed by a refused call.
        for (String[] bad : List.of(new String[] {"--rpm", "-3"}, new String[] {"--endpoints", "v1/chat"},
                new String[] {"--speed", "3"}, new String[] {"--tokens-day", "lots"}, new String[] {"--rpm"})) {
            String[] args = new String[3 + bad.length];
            args[0] = "keys";
            args[1] = "limits";
            args[2] = id;
            System.arraycopy(bad, 0, args, 3, bad.length);
            assertThat(run(args).exit()).as(String.join(" ", bad)).isEqualTo(2);
        }
        assertThat(run("keys", "limits", id).out()).isEqualTo(changed.out());
        assertThat(run("keys", "limits", id, "--clear").out()).contains("\"concurrent_streams\":null", "\"models\":null");
        assertThat(run("keys", "limits", "key_missing").exit()).isEqualTo(2);
    }

    @Test
    void unknownCommandsShowTheUsage() throws Exception {
        Run run = run("frobnicate");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown command 'frobnicate'", "keys create");
    }

    private static Run run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private static Run run(Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", TestDatabase.sharedUrl());
        env.putAll(extraEnv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
