package dev.switchboard.realtime;

import static dev.switchboard.stream.CancellationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.realtime.RealtimeRelayTest.Client;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Realtime relay's flow control, over real sockets: a client that stops reading holds back only its own
 * session's upstream events (they wait at OpenAI's side, not in the gateway), its own events still go up, and every
 * event arrives, in order, each way.
 */
class RealtimeFlowControlTest {
    /** Audio deltas of the burst: about 3 KB each, some 18 MB in all, far more than the sockets between can hold. */
    static final int BURST_WORDS = 6_000;
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("OPENAI_REALTIME_ENABLED", "true", "SWITCHBOARD_DEBUG_EVENTS", "true"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aClientThatStopsReadingHoldsBackOnlyItsOwnUpstreamAndGetsEveryEventInOrderWhenItResumes() throws Exception {
        String words = numbered("w", BURST_WORDS);
        String late = "late" + System.nanoTime() + "-";
        try (Client slow = Client.connect(gw, "gpt-realtime", List.of("Authorization", "Bearer " + gw.clientKey), List.of())) {
            slow.next("session.created", 30);
            slow.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"audio\"]}}");
            slow.next("session.updated", 30);

            slow.pause();
            slow.send(userText(words));
            slow.send("{\"type\":\"response.create\"}");
            // The gateway stops reading from OpenAI: the burst backs up to the emulator, unwritten.
            awaitTrue(() -> gw.emulator.realtimeUnwrittenEvents() > BURST_WORDS / 3);

            // Its own events are still read, and go up, while the events coming down are held back: each is read
            // only once the upstream socket took the one before, so the gateway's record of all 20 (its debug log
            // records a client event as it reads it) means the first 19 were on their way to OpenAI. (The emulator
            // itself reads nothing more until its own writes drain: the check that it got them, in order, is below.)
            for (int i = 0; i < 20; i++) slow.send(userText(late + i));
            awaitTrue(() -> gw.gateway.database().jdbi().withHandle(h -> h.createQuery("select count(*) from openai_debug_events "
                    + "where kind = 'realtime_event' and payload::text like ?").bind(0, "%" + late + "%").mapTo(Long.class).one()) == 20);

            // Another session is not held up by this one.
            try (Client other = Client.connect(gw, "gpt-realtime", List.of("Authorization", "Bearer " + gw.clientKey), List.of())) {
                other.next("session.created");
                other.send(userText("meanwhile"));
                other.send("{\"type\":\"response.create\"}");
                assertThat(other.next("response.done").path("response").path("status").asText()).isEqualTo("completed");
            }
            // And it stays there, however long the client takes: a gateway that read on regardless (buffering the
            // burst for the client) would by now have taken it all from the emulator.
            assertThat(gw.emulator.realtimeUnwrittenEvents()).isGreaterThan(BURST_WORDS / 3);

            slow.resume();
            StringBuilder transcript = new StringBuilder();
            int audio = 0;
            String lastDelta = "";
            List<String> lateItems = new ArrayList<>();
            JsonNode event;
            do {
                event = slow.next(null, 30);
                String type = event.path("type").asText();
                switch (type) {
                    case "response.output_audio.delta" -> {
                        assertThat(lastDelta).as("audio and its transcript alternate").isNotEqualTo(type);
                        lastDelta = type;
                        audio++;
                    }
                    case "response.output_audio_transcript.delta" -> {
                        assertThat(lastDelta).isEqualTo("response.output_audio.delta");
                        lastDelta = type;
                        transcript.append(event.path("delta").asText());
                    }
                    case "conversation.item.added" -> {
                        String text = event.path("item").path("content").path(0).path("text").asText();
                        if (text.startsWith(late)) lateItems.add(text);
                    }
                    default -> { }
                }
            } while (!event.path("type").asText().equals("response.done"));
            assertThat(transcript.toString()).isEqualTo("Echo: " + words);
            assertThat(audio).isEqualTo(BURST_WORDS + 1);
            // The late items were taken during the response; their answers come after all of it, in the order sent.
            while (lateItems.size() < 20) {
                JsonNode added = slow.next("conversation.item.added", 30);
                lateItems.add(added.path("item").path("content").path(0).path("text").asText());
            }
            assertThat(lateItems).isEqualTo(IntStream.range(0, 20).mapToObj(i -> late + i).toList());
        }
        awaitTrue(() -> gw.emulator.realtimeSessions() == 0);
    }

    @Test
    void manyEventsBothWaysAtOnceKeepTheirOrderInEachDirection() throws Exception {
        int sessions = 4;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String prefix = "s" + s + "-";
            running.add(CompletableFuture.runAsync(() -> {
                try {
                    bothWaysAtOnce(prefix);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, runnable -> Thread.ofVirtual().start(runnable)));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        awaitTrue(() -> gw.emulator.realtimeSessions() == 0);
    }

    /** One session: a long streamed answer comes down while many events go up, each from its own thread. */
    private static void bothWaysAtOnce(String prefix) throws Exception {
        int answerWords = 2_000;
        int upEvents = 300;
        String words = numbered(prefix + "w", answerWords);
        try (Client client = Client.connect(gw, "gpt-realtime", List.of("Authorization", "Bearer " + gw.clientKey), List.of())) {
            client.next("session.created");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}}");
            client.next("session.updated");
            client.send(userText(words));
            client.send("{\"type\":\"response.create\"}");
            Thread sender = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < upEvents; i++) client.send(userText(prefix + "up-" + i));
            });
            StringBuilder text = new StringBuilder();
            List<String> up = new ArrayList<>();
            while (up.size() < upEvents || text.length() < ("Echo: " + words).length()) {
                JsonNode event = client.next(null, 60);
                switch (event.path("type").asText()) {
                    case "response.output_text.delta" -> text.append(event.path("delta").asText());
                    case "conversation.item.added" -> {
                        String said = event.path("item").path("content").path(0).path("text").asText();
                        if (said.startsWith(prefix + "up-")) up.add(said);
                    }
                    default -> { }
                }
            }
            sender.join();
            assertThat(text.toString()).isEqualTo("Echo: " + words);
            assertThat(up).isEqualTo(IntStream.range(0, upEvents).mapToObj(i -> prefix + "up-" + i).toList());
        }
    }

    static String numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.joining(" "));
    }

    static String userText(String text) {
        return "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"" + text + "\"}]}}";
    }
}
