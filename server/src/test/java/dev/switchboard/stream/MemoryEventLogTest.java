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
    void theIdsOfForgottenStreamsAreBoundedInNumberNewestKept() {
        try (MemoryEventLog log = new MemoryEventLog(Duration.ofHours(1), 100, Clock.systemUTC(), 3)) {
            for (int i = 0; i < 10; i++) {
                String id = "strm_" + i;
                log.create(new StreamMeta(id, "o", "k", "/v1/responses", null, false, Instant.now()));
                log.append(id, new byte[200]);
                log.finish(id);
            }
            // Each stream is over the byte budget alone, so all ten are forgotten; only the newest 3 ids are kept.
            assertThat(log.find("strm_9")).isEmpty();
            assertThat(log.expired("strm_9")).isTrue();
            assertThat(log.expired("strm_7")).isTrue();
            assertThat(log.expired("strm_6")).isFalse();
            assertThat(log.expired("strm_0")).isFalse();
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
