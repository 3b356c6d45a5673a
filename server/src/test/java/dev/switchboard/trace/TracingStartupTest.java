package dev.switchboard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Await;
import dev.switchboard.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of tracing: with no OTLP endpoint it costs nothing (no SDK, no exporter thread, nothing on
 * the request path); with one, the start-up and the doctor say where spans go and whether the collector is there.
 */
class TracingStartupTest {
    @Test
    void withNoEndpointThereIsNoTracingAndNoExporterThread() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("OTEL_SERVICE_NAME", "not-exported"))) {
            assertThat(gw.gateway.tracing()).isEmpty();
            assertThat(gw.send(gw.post("/v1/chat/completions",
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).statusCode())
                    .isEqualTo(200);
            // A gateway of an earlier test class may still be stopping its exporter: none is left once it has.
            Await.until(Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("BatchSpanProcessor")));
            assertThat(gw.send(gw.get("/metrics").setHeader("Authorization", "Bearer " + gw.adminKey)).body())
                    .doesNotContain("switchboard_traces");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gw.gateway.announce(new PrintStream(out, true, StandardCharsets.UTF_8), "127.0.0.1", "http");
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("traces: off");
        }
    }

    @Test
    void whenOnTheStartUpSaysWhereSpansGo() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver();
             TestGateway gw = TestGateway.start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                     "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20collector-secret"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            gw.gateway.announce(new PrintStream(out, true, StandardCharsets.UTF_8), "127.0.0.1", "http");
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("traces: OTLP/HTTP to " + receiver.endpoint() + "/v1/traces as service switchboard")
                    .doesNotContain("collector-secret");
            assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().startsWith("BatchSpanProcessor"));
        }
    }

    @Test
    void theDoctorChecksTheCollector() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            String there = doctor(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                    "OTEL_EXPORTER_OTLP_HEADERS", "x-collector-key=doctor-secret"));
            assertThat(there).contains("OK    trace collector " + receiver.endpoint() + "/v1/traces accepts OTLP/HTTP exports")
                    .doesNotContain("doctor-secret");
            assertThat(receiver.lastHeaders().get("X-collector-key")).containsExactly("doctor-secret");
            receiver.refuseWith(401);
            assertThat(doctor(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())))
                    .contains("FAIL  trace collector", "answered HTTP 401", "OTEL_EXPORTER_OTLP_HEADERS");
        }
        assertThat(doctor(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")))
                .contains("FAIL  trace collector http://127.0.0.1:1/v1/traces unreachable");
        assertThat(doctor(Map.of())).contains("traces: off");
    }

    private static String doctor(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("DATABASE_URL", dev.switchboard.TestDatabase.sharedUrl()));
        env.putAll(extra);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new dev.switchboard.cli.DoctorCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        return out.toString(StandardCharsets.UTF_8);
    }
}
