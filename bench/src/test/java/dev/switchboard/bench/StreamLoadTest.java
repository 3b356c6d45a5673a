package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamLoadTest {
    @Test
    void countsEveryEventOfEveryStream() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-bench"))) {
            StreamLoad.Result result = StreamLoad.run(new StreamLoad.Options(emulator.baseUrl(), "sk-bench",
                    "gpt-4o-mini;tokens=10", 40, 8, Duration.ofSeconds(30)));
            assertThat(result.failed()).isZero();
            // Per stream: the role chunk, 10 token chunks and the finish chunk.
            assertThat(result.events()).isEqualTo(40L * 12);
        }
    }

    @Test
    void aRefusedKeyCountsAsFailedStreams() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-bench"))) {
            StreamLoad.Result result = StreamLoad.run(new StreamLoad.Options(emulator.baseUrl(), "sk-wrong",
                    "gpt-4o-mini", 5, 5, Duration.ofSeconds(30)));
            assertThat(result.failed()).isEqualTo(5);
        }
    }

    @Test
    void measuresPerEventLatencyFromTheEmulatorsStamps() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-bench"))) {
            StreamLoad.Result result = StreamLoad.run(new StreamLoad.Options(emulator.baseUrl(), "sk-bench",
                    "gpt-4o-mini;tokens=5;delay_ms=10;stamp=1", 10, 10, Duration.ofSeconds(30)));
            assertThat(result.failed()).isZero();
            assertThat(result.eventLatency().count()).isEqualTo(50);
            assertThat(result.eventLatency().p99()).isPositive();
            assertThat(result.peakOpen()).isBetween(1, 10);
        }
    }

    @Test
    void percentilesPickTheNearestRank() {
        Samples samples = new Samples(4);
        for (long i = 10; i >= 1; i--) samples.add(i);
        assertThat(samples.percentiles()).isEqualTo(new Percentiles(10, 5, 10));
        assertThat(new Samples(1).percentiles()).isEqualTo(new Percentiles(0, 0, 0));
    }

    @Test
    void readsTheStampOutOfAToken() {
        assertThat(stampOf("data: {\"choices\":[{\"delta\":{\"content\":\"1763700000123456 \"}}]}")).isEqualTo(1763700000123456L);
        assertThat(stampOf("data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}")).isEqualTo(-1);
    }

    private static long stampOf(String line) {
        byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return StreamLoad.stampOf(bytes, bytes.length);
    }
}
