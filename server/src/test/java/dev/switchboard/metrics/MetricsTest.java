package dev.switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What /metrics shows is what the gateway counted, however long it has run. */
class MetricsTest {
    @Test
    void aCounterReadFromElsewhereOutlivesGarbageCollection() {
        Metrics metrics = new Metrics();
        AtomicLong dropped = new AtomicLong(7);
        // A method reference nothing else holds: the registry alone keeps only a weak reference to it.
        metrics.functionCounter("switchboard.test.dropped", "spans dropped in this test", dropped::get);
        for (int i = 0; i < 5; i++) System.gc();

        assertThat(metrics.scrape()).contains("switchboard_test_dropped_total 7.0");
    }
}
