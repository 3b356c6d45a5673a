package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Both implementations behind {@link EventLog} keep the same promises. */
class EventLogContractTest {
    static final Duration WAIT = Duration.ofSeconds(2);

    static Stream<Arguments> logs() {
        Supplier<EventLog> memory = () -> EventLogs.inMemory(Duration.ofSeconds(1));
        Supplier<EventLog> redis = () -> EventLogs.redis(TestRedis.requireReachable(), Duration.ofSeconds(1));
        return Stream.of(Arguments.of("memory", memory), Arguments.of("redis", redis));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void replaysAfterAPositionThenFollowsLiveThenEnds(String name, Supplier<EventLog> factory) throws Exception {
        try (EventLog log = factory.get()) {
            String id = newId();
            log.create(meta(id));
            assertThat(log.append(id, bytes("a"))).isZero();
            assertThat(log.append(id, bytes("b"))).isEqualTo(1);
            try (var executor = Executors.newVirtualThreadPerTaskExecutor(); EventLog.Cursor cursor = log.read(id, 0)) {
                Future<List<String>> reader = executor.submit(() -> readAll(cursor));
                Thread.sleep(200);
                log.append(id, bytes("c"));
                log.finish(id);
                assertThat(reader.get(10, TimeUnit.SECONDS)).containsExactly("1:b", "2:c");
            }
            try (EventLog.Cursor fromStart = log.read(id, -1)) {
                assertThat(readAll(fromStart)).containsExactly("0:a", "1:b", "2:c");
            }
            assertThat(log.find(id)).hasValueSatisfying(m -> assertThat(m.owner()).isEqualTo("owner-1"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void aCursorTimesOutWithNullWhileTheStreamIsQuiet(String name, Supplier<EventLog> factory) throws Exception {
        try (EventLog log = factory.get()) {
            String id = newId();
            log.create(meta(id));
            try (EventLog.Cursor cursor = log.read(id, -1)) {
                assertThat(cursor.next(Duration.ofMillis(100))).isNull();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void finishedStreamsExpireAfterTheRetentionAndAreToldApartFromUnknownOnes(String name, Supplier<EventLog> factory)
            throws Exception {
        try (EventLog log = factory.get()) {
            String id = newId();
            log.create(meta(id));
            log.append(id, bytes("a"));
            log.finish(id);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (log.find(id).isPresent() && System.nanoTime() < deadline) Thread.sleep(100);
            assertThat(log.find(id)).isEmpty();
            assertThat(log.expired(id)).isTrue();
            assertThat(log.expired(newId())).isFalse();
        }
    }

    /** Redis only: a log that only this process writes has no writer that can be gone. */
    @Test
    void theUnfinishedStreamsOfAGoneWriterAreOrphansUntilOneInstanceAdoptsThem() throws Exception {
        String redis = TestRedis.requireReachable();
        try (EventLog survivor = EventLogs.redis(redis, Duration.ofSeconds(30));
             EventLog other = EventLogs.redis(redis, Duration.ofSeconds(30))) {
            EventLog gone = EventLogs.redis(redis, Duration.ofSeconds(30));
            String unfinished = newId();
            String finished = newId();
            gone.create(meta(unfinished));
            gone.append(unfinished, bytes("a"));
            gone.create(meta(finished));
            gone.finish(finished);
            assertThat(survivor.orphans()).as("its writer is alive").doesNotContain(unfinished, finished);

            gone.close(); // gives its lease up and leaves the stream unfinished, as a killed instance's lapses
            assertThat(survivor.orphans()).contains(unfinished).doesNotContain(finished);
            LoggedEvent last = survivor.adopt(unfinished);
            assertThat(other.adopt(unfinished)).as("one instance wins").isNull();
            assertThat(last.seq()).isZero();
            assertThat(survivor.append(unfinished, bytes("ending"))).isEqualTo(1);
            survivor.finish(unfinished);
            assertThat(survivor.orphans()).doesNotContain(unfinished);
            assertThat(other.orphans()).doesNotContain(unfinished);
            try (EventLog.Cursor cursor = other.read(unfinished, -1)) {
                assertThat(readAll(cursor)).containsExactly("0:a", "1:ending");
            }
        }
    }

    /**
     * Redis only: an adopter that continues a stream is its writer; when it goes too before finishing it (a
     * continuation lasts as long as the response), the stream is an orphan again, adopted once more, and numbered on.
     */
    @Test
    void aStreamWhoseAdopterIsGoneTooIsAdoptedAgain() throws Exception {
        String redis = TestRedis.requireReachable();
        try (EventLog last = EventLogs.redis(redis, Duration.ofSeconds(30));
             EventLog other = EventLogs.redis(redis, Duration.ofSeconds(30))) {
            EventLog first = EventLogs.redis(redis, Duration.ofSeconds(30));
            EventLog adopter = EventLogs.redis(redis, Duration.ofSeconds(30));
            String stream = newId();
            first.create(meta(stream));
            first.append(stream, bytes("a"));
            first.close();
            assertThat(adopter.adopt(stream).seq()).isZero();
            assertThat(adopter.append(stream, bytes("b"))).isEqualTo(1);
            assertThat(last.writerGone(stream)).as("the adopter writes it now").isFalse();
            assertThat(last.adopt(stream)).as("its adopter is alive").isNull();
            assertThat(last.orphans()).doesNotContain(stream);

            adopter.close(); // leaves it unfinished, as a stopping or killed adopter does
            assertThat(last.writerGone(stream)).isTrue();
            assertThat(last.orphans()).contains(stream);
            assertThat(last.adopt(stream).seq()).isEqualTo(1);
            assertThat(other.adopt(stream)).as("one instance wins").isNull();
            assertThat(last.append(stream, bytes("c"))).isEqualTo(2);
            last.finish(stream);
            assertThat(other.orphans()).doesNotContain(stream);
            try (EventLog.Cursor cursor = other.read(stream, -1)) {
                assertThat(readAll(cursor)).containsExactly("0:a", "1:b", "2:c");
            }
        }
    }

    private static List<String> readAll(EventLog.Cursor cursor) throws InterruptedException {
        List<String> events = new ArrayList<>();
        for (LoggedEvent e; (e = cursor.next(WAIT)) != LoggedEvent.END; ) {
            if (e != null) events.add(e.seq() + ":" + new String(e.frame(), StandardCharsets.UTF_8));
        }
        return events;
    }

    private static StreamMeta meta(String id) {
        return new StreamMeta(id, "owner-1", "key_1", "/v1/responses", "gpt-4o-mini", false, Instant.now());
    }

    private static String newId() {
        return "strm_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
