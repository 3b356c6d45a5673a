package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads everything the whole test run logged (every test class's output, gateway and emulator alike) for a
 * secret: a gateway key, a stream or Realtime token, an OpenAI-style key or client secret. It runs in the verify
 * phase, after every other test, so it sees the logs of all of them.
 */
class LogSecretsScanTest {
    /** What a secret looks like: each pattern matches whole secrets, never their displayed prefixes. */
    static final List<Pattern> SECRETS = List.of(
            Pattern.compile("sb-[A-Za-z0-9_-]{24,}"),
            Pattern.compile("sbt_[A-Za-z0-9_-]{16,}"),
            Pattern.compile("sk-[A-Za-z0-9_-]{20,}"),
            Pattern.compile("ek_[A-Za-z0-9]{16,}"));

    @Test
    void noSecretAppearsInAnyLogOfTheTestRun() throws IOException {
        List<Path> logs = new ArrayList<>();
        for (Path reports : List.of(Path.of("target/surefire-reports"), Path.of("../emulator/target/surefire-reports"))) {
            if (!Files.isDirectory(reports)) continue;
            try (Stream<Path> files = Files.list(reports)) {
                files.filter(file -> file.getFileName().toString().endsWith("-output.txt")).forEach(logs::add);
            }
        }
        // The run logged a great deal: a scan of nothing would prove nothing.
        assertThat(logs).as("test output files").hasSizeGreaterThan(20);
        List<String> found = new ArrayList<>();
        for (Path log : logs) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                for (String secret : secrets(lines.get(i))) found.add(log.getFileName() + ":" + (i + 1) + ": " + secret);
            }
        }
        assertThat(found).as("secrets in the logs").isEmpty();
    }

    @Test
    void theScanRecognisesEachKindOfSecret() {
        assertThat(secrets("key=sb-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-xyz")).hasSize(1);
        assertThat(secrets("token sbt_eyJrIjoia2V5XzEyMyJ9.c2lnbmF0dXJl")).hasSize(1);
        assertThat(secrets("Authorization: Bearer sk-test-upstream-0123456789abcdef")).hasSize(1);
        assertThat(secrets("client secret ek_AbCdEfGhIjKlMnOpQrStUvWx")).hasSize(1);
        // What the gateway does show: a key's prefix, an id, a masked key.
        assertThat(secrets("key sb-AbCd… (key_3f2a9c) refused; sk-*****cdef")).isEmpty();
    }

    static List<String> secrets(String line) {
        List<String> found = new ArrayList<>();
        for (Pattern pattern : SECRETS) {
            Matcher matcher = pattern.matcher(line);
            while (matcher.find()) found.add(matcher.group());
        }
        return found;
    }
}
