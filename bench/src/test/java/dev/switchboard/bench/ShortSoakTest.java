package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak run, short enough for every test run: the built gateway, as an operator starts it (its own process,
 * embedded PostgreSQL, the built-in emulator), under the soak's mixed load for a minute. bench/soak.sh runs it for
 * an hour.
 */
class ShortSoakTest {
    @TempDir
    Path data;

    @Test
    void aMinuteOfMixedLoadLeavesNothingGrowing() throws Exception {
        Path jar = Path.of("../server/target/switchboard.jar");
        assertThat(jar).as("the gateway is built before the benchmarks' tests run").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("OPENAI_API_KEY");
        builder.environment().put("SWITCHBOARD_PORT", "0");
        builder.environment().put("SWITCHBOARD_DATA_DIR", data.toString());
        builder.environment().put("OPENAI_REALTIME_ENABLED", "true");
        // Finished streams are kept this long; the soak is judged once their memory has reached its steady size.
        builder.environment().put("SWITCHBOARD_STREAM_RETENTION", "15s");
        Process gateway = builder.start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            String admin = null;
            Pattern listening = Pattern.compile("listening on (http://[^ ]+)");
            Pattern key = Pattern.compile("(sb-[A-Za-z0-9_-]+)");
            for (String line; (admin == null || url == null) && (line = output.readLine()) != null; ) {
                Matcher found = listening.matcher(line);
                if (found.find()) url = found.group(1);
                Matcher secret = key.matcher(line);
                if (line.contains("admin API key") && secret.find()) admin = secret.group(1);
            }
            assertThat(url).isNotNull();
            assertThat(admin).isNotNull();
            // Drained from now on, so that the gateway never blocks on a full pipe.
            Thread.ofVirtual().start(() -> output.lines().forEach(line -> { }));
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/admin/keys"))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"soak\"}")).build(), HttpResponse.BodyHandlers.ofString());
            String client = created.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");

            Soak.Result result = Soak.run(new Soak.Options(URI.create(url), client, admin, gateway.pid(), Duration.ofSeconds(60),
                    8, 2, Duration.ofSeconds(5), Duration.ofSeconds(20)), sample -> { });
            assertThat(result.errors()).as(String.valueOf(result.firstError())).isZero();
            assertThat(result.streams()).isPositive();
            assertThat(result.realtimeSessions()).isPositive();
            assertThat(result.adminCalls()).isPositive();
            assertThat(result.samples()).hasSizeGreaterThanOrEqualTo(10);
            assertThat(result.flat()).as("early %s, late %s", result.early(), result.late()).isTrue();
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) gateway.destroyForcibly();
        }
    }
}
