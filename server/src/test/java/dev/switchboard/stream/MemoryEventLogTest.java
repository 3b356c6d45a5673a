package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemoryEventLogTest {
    @Test
    void finishedStreamsAreForgottenOldestFirstWhenTheByteBudgetIsExceeded() {
        try (MemoryEventLog log = new MemoryEventLog(Duration.ofHours(1), 1_000, Clock.systemUTC())) {
            for (int i = 0; i < 5; i++) {
                String id = "strm_" + i;
                log.create(new StreamMeta(id, "o", "k", "/v1/responses", null, false, Instant.now()));
                log.append(id, new byte[300]);
                log.finish(id);
            }
            assertThat(log.bytes()).isLessThanOrEqualTo(1_000);
            assertThat(log.find("strm_0")).isEmpty();
            assertThat(log.expired("strm_0")).isTrue();
            assertThat(log.find("strm_4")).isPresent();
        }
    }

    @Test
    void liveStreamsAreNeverEvicted() {
        try (MemoryEventLog log = new MemoryEventLog(Duration.ofHours(1), 100, Clock.systemUTC())) {
            log.create(new StreamMeta("strm_live", "o", "k", "/v1/responses", null, false, Instant.now()));
            log.append("strm_live", new byte[500]);
            log.create(new StreamMeta("strm_done", "o", "k", "/v1/responses", null, false, Instant.now()));
            log.finish("strm_done");
            assertThat(log.find("strm_live")).isPresent();
        }
    }
}
