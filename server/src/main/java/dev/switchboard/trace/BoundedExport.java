package dev.switchboard.trace;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends finished spans in batches on the SDK's worker thread, never on a request's. At most {@code capacity} spans
 * wait or are being sent; one more is dropped at once, and so are the spans of a batch the collector refused or
 * did not take in time. Every drop is counted, and logged at most once a minute, whatever the rate.
 */
final class BoundedExport implements SpanProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedExport.class);
    private static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private final SpanProcessor batch;
    private final int capacity;
    private final String collector;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL.toNanos());
    private final AtomicLong droppedWhenLogged = new AtomicLong();
    /** Why the last export failed, for the log line: an exception's class, never its message (it may name URLs). */
    private volatile String lastFailure = "the queue was full";

    BoundedExport(SpanExporter exporter, Duration scheduleDelay, int capacity, String collector) {
        this.capacity = capacity;
        this.collector = collector;
        // The batch queue is as large as what may be pending, so the SDK itself never drops one uncounted.
        this.batch = BatchSpanProcessor.builder(new Counted(exporter))
                .setScheduleDelay(scheduleDelay)
                .setMaxQueueSize(capacity)
                .setMaxExportBatchSize(Math.min(512, capacity))
                .setExporterTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Spans lost since start-up: refused by the collector, not taken in time, or beyond the queue. */
    long dropped() {
        return dropped.sum();
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (!span.getSpanContext().isSampled()) return;
        if (pending.incrementAndGet() > capacity) {
            pending.decrementAndGet();
            lastFailure = "the queue was full";
            drop(1);
            return;
        }
        batch.onEnd(span);
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return batch.forceFlush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return batch.shutdown();
    }

    private void drop(int spans) {
        dropped.add(spans);
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_INTERVAL.toNanos() && lastLogged.compareAndSet(last, now)) {
            long total = dropped.sum();
            LOG.warn("Tracing: {} spans dropped (the collector at {} is unreachable, slow or refusing them; last: {}); "
                    + "requests are not affected. {} dropped since start-up (metric switchboard_traces_spans_dropped_total).",
                    total - droppedWhenLogged.getAndSet(total), collector, lastFailure, total);
        }
    }

    /** Learns how each export ended: its spans are no longer pending, and are dropped if it failed. */
    private final class Counted implements SpanExporter {
        private final SpanExporter exporter;

        Counted(SpanExporter exporter) {
            this.exporter = exporter;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int count = spans.size();
            CompletableResultCode result;
            try {
                result = exporter.export(spans);
            } catch (RuntimeException e) {
                result = CompletableResultCode.ofFailure();
            }
            CompletableResultCode done = result;
            done.whenComplete(() -> {
                pending.addAndGet(-count);
                if (!done.isSuccess()) {
                    Throwable failure = done.getFailureThrowable();
                    lastFailure = failure == null ? "the export failed"
                            : failure.getCause() != null ? failure.getCause().getClass().getSimpleName()
                            : "refused by the collector";
                    drop(count);
                }
            });
            return done;
        }

        @Override
        public CompletableResultCode flush() {
            return exporter.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return exporter.shutdown();
        }
    }
}
