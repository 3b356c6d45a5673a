package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.emulator.Emulator;
import dev.switchboard.emulator.EmulatorOptions;
import java.time.Duration;
import java.util.List;
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
    void percentilesPickTheNearestRank() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(StreamLoad.percentile(sorted, 0.5)).isEqualTo(5);
        assertThat(StreamLoad.percentile(sorted, 0.99)).isEqualTo(10);
        assertThat(StreamLoad.percentile(List.of(), 0.99)).isZero();
    }
}
