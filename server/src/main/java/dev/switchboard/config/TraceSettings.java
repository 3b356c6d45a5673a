package dev.switchboard.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * OpenTelemetry traces, read from the standard {@code OTEL_} variables. Off unless an OTLP endpoint is set.
 *
 * @param endpoint      where spans are POSTed (OTLP over HTTP, protobuf): the traces endpoint itself, already
 *                      resolved from {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 *                      + {@code /v1/traces}; empty for tracing off
 * @param headers       sent with every export (a collector's API key): secrets, never logged
 * @param serviceName   {@code service.name} of every span
 * @param sampler       one of {@link #SAMPLERS}
 * @param samplerRatio  the ratio of the {@code traceidratio} samplers, 0 to 1
 * @param scheduleDelay how long finished spans wait to be sent in a batch ({@code OTEL_BSP_SCHEDULE_DELAY})
 */
public record TraceSettings(Optional<URI> endpoint, Map<String, Secret> headers, String serviceName, String sampler,
                            double samplerRatio, Duration scheduleDelay) {
    public static final java.util.List<String> SAMPLERS = java.util.List.of("parentbased_always_on", "always_on",
            "always_off", "traceidratio", "parentbased_always_off", "parentbased_traceidratio");

    public static TraceSettings off() {
        return new TraceSettings(Optional.empty(), Map.of(), "switchboard", "parentbased_always_on", 1.0,
                Duration.ofSeconds(5));
    }

    public boolean enabled() {
        return endpoint.isPresent();
    }

    /** The endpoint as shown at start-up: no user info, no query (either may carry a token). */
    public String shownEndpoint() {
        return endpoint.map(uri -> uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath())).orElse("off");
    }
}
