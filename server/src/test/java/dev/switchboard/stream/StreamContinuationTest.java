package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestRedis;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.observe.Usage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.Test;

/**
 * An orphaned stream whose endpoint registered a {@link StreamContinuation} is continued into its own log by the
 * instance that adopts it, numbered on from the last event its writer logged; one whose continuation declines is
 * ended as before. Real Redis; upstream's continued events are bytes the registered continuation hands over.
 */
class StreamContinuationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void anAdoptedStreamIsContinuedAfterItsLastLoggedEventUntilItsTerminalOne() throws Exception {
        String redis = TestRedis.requireReachable();
        try (EventLog survivor = EventLogs.redis(redis, Duration.ofSeconds(30)); Heartbeats heartbeats = new Heartbeats(Duration.ofSeconds(15))) {
            String id = orphan(redis, true, frame("response.created", 0), frame("response.output_text.delta", 1));
            AtomicReference<String> askedAfter = new AtomicReference<>();
            StreamEndings endings = new StreamEndings().continueWith("/v1/responses", (meta, first, last, after) -> {
                askedAfter.set(first.event() + " " + after);
                byte[] rest = (new String(frame("response.output_text.delta", 2), StandardCharsets.UTF_8)
                        + new String(frame("response.completed", 3), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                return new StreamContinuation.Continued(new UpstreamStream(Content.Source.from(ByteBuffer.wrap(rest)), () -> false,
                        () -> { }, () -> { }), DIALECT, new Exchange("sbreq_test", "key_1", null, "owner-1",
                        "/v1/responses/resp_1", "m", true, new ExchangeListener() { }));
            });
            List<StreamMeta> ended = new ArrayList<>();
            LogFollower follower = new LogFollower(survivor, heartbeats, endings, (meta, events) -> ended.add(meta),
                    new StreamRelay(survivor, heartbeats, new LiveStreams()));

            follower.endOrphan(id);

            assertThat(askedAfter.get()).isEqualTo("response.created 1");
            assertThat(readAll(survivor, id)).containsExactly("0 response.created", "1 response.output_text.delta",
                    "2 response.output_text.delta", "3 response.completed");
            assertThat(ended).as("continued, not ended").isEmpty();
        }
    }

    @Test
    void aStreamItsContinuationDeclinesIsEndedAsBefore() throws Exception {
        String redis = TestRedis.requireReachable();
        try (EventLog survivor = EventLogs.redis(redis, Duration.ofSeconds(30)); Heartbeats heartbeats = new Heartbeats(Duration.ofSeconds(15))) {
            String id = orphan(redis, true, frame("response.created", 0));
            StreamEndings endings = new StreamEndings()
                    .register("/v1/responses", (code, message, last) -> List.of(("event: error\ndata: {\"code\":\"" + code
                            + "\"}\n\n").getBytes(StandardCharsets.UTF_8)))
                    .continueWith("/v1/responses", (meta, first, last, after) -> null);
            List<StreamMeta> ended = new ArrayList<>();
            LogFollower follower = new LogFollower(survivor, heartbeats, endings, (meta, events) -> ended.add(meta),
                    new StreamRelay(survivor, heartbeats, new LiveStreams()));

            follower.endOrphan(id);

            assertThat(readAll(survivor, id)).containsExactly("0 response.created", "1 error");
            assertThat(ended).hasSize(1);
        }
    }

    /** A stream of a writer that is gone, with these events logged. */
    private static String orphan(String redis, boolean resumable, byte[]... frames) {
        String id = "strm_" + UUID.randomUUID().toString().replace("-", "");
        EventLog gone = EventLogs.redis(redis, Duration.ofSeconds(30));
        gone.create(new StreamMeta(id, "owner-1", "key_1", "/v1/responses", "m", resumable, Instant.now(), "sbreq_1"));
        for (byte[] frame : frames) gone.append(id, frame);
        gone.close();
        return id;
    }

    private static List<String> readAll(EventLog log, String id) throws Exception {
        List<String> events = new ArrayList<>();
        try (EventLog.Cursor cursor = log.read(id, -1)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (LoggedEvent e; (e = cursor.next(WAIT)) != LoggedEvent.END && System.nanoTime() < deadline; ) {
                if (e != null) events.add(e.seq() + " " + LogFollower.parse(e.frame()).event());
            }
        }
        return events;
    }

    private static byte[] frame(String type, long seq) {
        return ("event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + seq
                + (seq == 0 ? ",\"response\":{\"id\":\"resp_1\"}" : "") + "}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static final StreamDialect DIALECT = new StreamDialect() {
        @Override
        public boolean isTerminal(SseFrame frame) {
            return "response.completed".equals(frame.event());
        }

        @Override
        public Usage usage(SseFrame frame) {
            return null;
        }

        @Override
        public byte[] errorFrame(String code, String message, SseFrame lastFrame) {
            return ("event: error\ndata: {\"code\":\"" + code + "\"}\n\n").getBytes(StandardCharsets.UTF_8);
        }
    };
}
