package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceSettingsTest {
    private static TraceSettings load(Map<String, String> env) {
        return SettingsLoader.load(env, Optional.empty()).traces();
    }

    private static ConfigException refused(Map<String, String> env) {
        try {
            SettingsLoader.load(env, Optional.empty());
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted " + env);
    }

    @Test
    void offUnlessAnEndpointIsSet() {
        TraceSettings traces = load(Map.of("OTEL_SERVICE_NAME", "gw"));
        assertThat(traces.enabled()).isFalse();
        assertThat(traces.shownEndpoint()).isEqualTo("off");
    }

    @Test
    void theBaseEndpointGetsTheTracesPathAndTheSignalEndpointIsTakenAsItIs() {
        assertThat(load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).endpoint())
                .contains(URI.create("http://collector:4318/v1/traces"));
        assertThat(load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector/otlp/")).endpoint())
                .contains(URI.create("https://collector/otlp/v1/traces"));
        assertThat(load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:9999/custom")).endpoint())
                .contains(URI.create("http://b:9999/custom"));
    }

    @Test
    void defaultsAndTheStandardSwitchesOff() {
        TraceSettings traces = load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
        assertThat(traces.serviceName()).isEqualTo("switchboard");
        assertThat(traces.sampler()).isEqualTo("parentbased_always_on");
        assertThat(load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_TRACES_EXPORTER", "none")).enabled()).isFalse();
        assertThat(load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "true")).enabled()).isFalse();
    }

    @Test
    void headersAreDecodedAndKeptSecret() {
        TraceSettings traces = load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc%3D%3D, x-team = ops"));
        assertThat(traces.headers()).containsOnlyKeys("x-api-key", "x-team");
        assertThat(traces.headers().get("x-api-key").reveal()).isEqualTo("abc==");
        assertThat(traces.headers().toString()).doesNotContain("abc");
    }

    @Test
    void badValuesAreRefusedByNameWithoutEchoingSecrets() {
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"))
                .problems()).singleElement().asString().contains("OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "http/protobuf");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318?token=hunter2")).problems())
                .singleElement().asString().contains("OTEL_EXPORTER_OTLP_ENDPOINT").doesNotContain("hunter2");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_HEADERS", "hunter2")).problems())
                .singleElement().asString().contains("key=value").doesNotContain("hunter2");
        assertThat(refused(Map.of("OTEL_TRACES_SAMPLER", "sometimes")).problems())
                .singleElement().asString().contains("traceidratio");
        assertThat(refused(Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "1.5")).problems())
                .singleElement().asString().contains("0 to 1");
        assertThat(refused(Map.of("OTEL_TRACES_EXPORTER", "zipkin")).problems())
                .singleElement().asString().contains("'otlp'");
    }
}
