package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadsTest {
    @Test
    void realtimeRoundTripsAreCountedAsTwoFramesEach() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-bench"))) {
            Target direct = new Target("direct", emulator.baseUrl(), "sk-bench", Map.of(), ProcessHandle.current().pid(), null);
            RealtimeWorkload.Figures figures = RealtimeWorkload.run(direct, 3, 10);
            assertThat(figures.failure()).isNull();
            assertThat(figures.frames()).isEqualTo(60);
            assertThat(figures.roundTrip().p50()).isPositive();
        }
    }

    @Test
    void aRealtimeSessionTheTargetRefusesIsReportedAsNotRun() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-bench"))) {
            Target refused = new Target("direct", emulator.baseUrl(), "sk-wrong", Map.of(), ProcessHandle.current().pid(), null);
            assertThat(RealtimeWorkload.run(refused, 1, 5).ran()).isFalse();
        }
    }

    @Test
    void aRateStepSendsEveryRequestAndTimesEachAnswer() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-bench"))) {
            Target direct = new Target("direct", emulator.baseUrl(), "sk-bench", Map.of(), ProcessHandle.current().pid(), null);
            RequestSweep.Step step = RequestSweep.step(direct, 100, 1);
            assertThat(step.requests()).isEqualTo(100);
            assertThat(step.failed()).isZero();
            assertThat(step.latency().count()).isEqualTo(100);
            Target refused = new Target("direct", emulator.baseUrl(), "sk-wrong", Map.of(), ProcessHandle.current().pid(), null);
            assertThat(RequestSweep.step(refused, 50, 1).failed()).isEqualTo(50);
        }
    }

    @Test
    void theHighestRateHeldIsJudgedAgainstTheReferencesP99AtTheSameRate() {
        RequestSweep.Figures direct = new RequestSweep.Figures(List.of(step(250, 1_000), step(500, 2_000), step(1_000, 9_000)));
        RequestSweep.Figures proxy = new RequestSweep.Figures(List.of(step(250, 3_000), step(500, 6_000), step(1_000, 13_000)));
        assertThat(proxy.highestRateWithin(direct, 5_000)).isEqualTo(1_000);
        assertThat(proxy.highestRateWithin(direct, 3_000)).isEqualTo(250);
        RequestSweep.Figures failing = new RequestSweep.Figures(List.of(step(250, 1_000),
                new RequestSweep.Step(500, 1_000, 200, new Percentiles(800, 1_000, 1_000), 10)));
        assertThat(failing.highestRateWithin(direct, 5_000)).isEqualTo(250);
    }

    @Test
    void aSampleBelongsToTheInnermostFrameOfAKnownLayer() {
        assertThat(ProfileLayers.layerOf(List.of("sun.nio.ch.SocketDispatcher", "org.eclipse.jetty.io.SocketChannelEndPoint",
                "org.eclipse.jetty.ee10.servlet.HttpOutput", "dev.switchboard.stream.SseWriter"))).isEqualTo(ProfileLayers.CLIENT_WRITE);
        assertThat(ProfileLayers.layerOf(List.of("java.util.HashMap", "dev.switchboard.stream.MemoryEventLog",
                "dev.switchboard.stream.StreamRelay"))).isEqualTo(ProfileLayers.LOG);
        assertThat(ProfileLayers.layerOf(List.of("java.lang.String", "dev.switchboard.stream.SseReader"))).isEqualTo(ProfileLayers.SSE);
        assertThat(ProfileLayers.layerOf(List.of("jdk.internal.net.http.Http1AsyncReceiver"))).isEqualTo(ProfileLayers.UPSTREAM);
        assertThat(ProfileLayers.layerOf(List.of("java.util.ArrayDeque",
                "org.eclipse.jetty.client.transport.HttpReceiver"))).isEqualTo(ProfileLayers.UPSTREAM);
        assertThat(ProfileLayers.layerOf(List.of("java.util.Arrays", "dev.switchboard.stream.SseParser"))).isEqualTo(ProfileLayers.SSE);
        assertThat(ProfileLayers.layerOf(List.of("java.util.ArrayList", "io.javalin.router.JavalinServlet"))).isEqualTo(ProfileLayers.SERVLET);
        assertThat(ProfileLayers.layerOf(List.of("java.lang.Object"))).isEqualTo(ProfileLayers.OTHER);
    }

    @Test
    void jvmThreadsAreToldApartByName() {
        assertThat(ProfileLayers.threadKind("GC Thread#1")).isEqualTo("GC");
        assertThat(ProfileLayers.threadKind("G1 Conc#0")).isEqualTo("GC");
        assertThat(ProfileLayers.threadKind("C2 CompilerThre")).isEqualTo("JIT compiler");
        assertThat(ProfileLayers.threadKind("ForkJoinPool-1-")).isEqualTo("Java");
    }

    private static RequestSweep.Step step(int rate, long p99) {
        return new RequestSweep.Step(rate, rate, 0, new Percentiles(rate, p99 / 2, p99), 100);
    }
}
