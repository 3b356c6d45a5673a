package dev.switchboard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Await;
import dev.switchboard.OwnRedis;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseReader;
import dev.switchboard.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Limits enforced by several gateway instances sharing one PostgreSQL and one Redis (issue 15, item 14): a token
 * budget is overrun by no more than the requests in flight, on all instances together; requests per minute are a
 * sliding window, also across a minute boundary; a key's concurrent-stream slot survives a Redis restart; and the
 * slots of an instance that was killed are free again within seconds.
 */
class SharedLimitsTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aTokenBudgetSharedByThreeInstancesIsOverrunByNoMoreThanTheRequestsInFlight() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway one = TestGateway.start(Map.of("REDIS_URL", redis.url()));
             TestGateway two = TestGateway.start(Map.of("REDIS_URL", redis.url()));
             TestGateway three = TestGateway.start(Map.of("REDIS_URL", redis.url()))) {
            String key = newKey(one, "{\"tokens_per_day\":200}");
            String keyId = KEY_IDS.get(key);
            List<TestGateway> instances = List.of(one, two, three);
            AtomicInteger served = new AtomicInteger();
            List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            // One client per instance, each sending its next request as soon as the last is answered, until refused.
            for (TestGateway gateway : instances) {
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 200; i++) {
                        HttpResponse<String> answer = gateway.send(withKey(gateway.post("/v1/chat/completions",
                                "{\"model\":\"gpt-4o-mini;tokens=12;delay_ms=5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                                key));
                        if (answer.statusCode() == 429) return;
                        if (answer.statusCode() != 200) unexpected.add(answer.statusCode() + " " + answer.body());
                        served.incrementAndGet();
                    }
                }));
            }
            for (Thread client : clients) client.join(Duration.ofSeconds(60));
            assertThat(unexpected).isEmpty();

            Await.until(Duration.ofSeconds(20), () -> rows(one, keyId) == served.get());
            long spent = one.gateway.database().jdbi().withHandle(h -> h.createQuery(
                    "select coalesce(sum(total_tokens), 0) from request_log where key_id = :id").bind("id", keyId).mapTo(Long.class).one());
            long largest = one.gateway.database().jdbi().withHandle(h -> h.createQuery(
                    "select max(total_tokens) from request_log where key_id = :id").bind("id", keyId).mapTo(Long.class).one());
            assertThat(spent).isGreaterThanOrEqualTo(200);
            // In flight when the budget was reached: at most one request per client, and the one each may have sent
            // in the moment between its answer and the count of its tokens.
            assertThat(spent).as("tokens spent of a 200-token budget").isLessThanOrEqualTo(200 + 2L * instances.size() * largest);
        }
    }

    @Test
    void requestsPerMinuteAreASlidingWindowAcrossAMinuteBoundary() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway one = TestGateway.start(Map.of("REDIS_URL", redis.url()));
             TestGateway two = TestGateway.start(Map.of("REDIS_URL", redis.url()));
             TestGateway alone = TestGateway.start()) {
            String shared = newKey(one, "{\"requests_per_minute\":10}");
            String single = newKey(alone, "{\"requests_per_minute\":10}");
            // Ten requests just before a minute begins, and ten just after: a window that starts again with the
            // minute lets all twenty through within seconds.
            long second = Instant.now().getEpochSecond() % 60;
            if (second < 55) Thread.sleep(TimeUnit.SECONDS.toMillis(55 - second));
            for (int i = 0; i < 10; i++) {
                assertThat(models(i % 2 == 0 ? one : two, shared)).isEqualTo(200);
                assertThat(models(alone, single)).isEqualTo(200);
            }
            long untilNextMinute = 60_000 - Instant.now().toEpochMilli() % 60_000;
            Thread.sleep(untilNextMinute + 200);
            for (int i = 0; i < 10; i++) {
                assertThat(models(i % 2 == 0 ? one : two, shared)).as("request %d after the minute began", i).isEqualTo(429);
                assertThat(models(alone, single)).as("request %d after the minute began, one instance", i).isEqualTo(429);
            }
        }
    }

    @Test
    void aKeysOnlyStreamSlotStaysTakenThroughARedisRestart() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway one = TestGateway.start(Map.of("REDIS_URL", redis.url()));
             TestGateway two = TestGateway.start(Map.of("REDIS_URL", redis.url()))) {
            String key = newKey(one, "{\"concurrent_streams\":1}");
            HttpResponse<InputStream> held = one.open(withKey(one.post("/v1/chat/completions", longStream()), key));
            assertThat(held.statusCode()).isEqualTo(200);
            assertThat(shortStream(two, key)).isEqualTo(429);

            redis.stop();
            redis.startAgain();
            // While the other instance has not reconnected, limits are open (by design); once it counts again, the
            // key's one stream is still taken, and stays so after every holder had the time to renew.
            Await.until(Duration.ofSeconds(20), () -> shortStream(two, key) == 429);
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until) {
                assertThat(shortStream(two, key)).as("a second stream for a key limited to one").isEqualTo(429);
                Thread.sleep(200);
            }
            held.body().close();
        }
    }

    @Test
    void theSlotsOfAKilledInstanceAreFreeWithinSeconds() throws Exception {
        try (OwnRedis redis = OwnRedis.start();
             TestGateway survivor = TestGateway.start(Map.of("REDIS_URL", redis.url()))) {
            String key = newKey(survivor, "{\"concurrent_streams\":1}");
            try (GatewayProcess doomed = GatewayProcess.start(survivor, Map.of("REDIS_URL", redis.url()))) {
                HttpResponse<InputStream> held = http.send(HttpRequest.newBuilder(URI.create(doomed.url("/v1/chat/completions")))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(longStream())).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(held.statusCode()).isEqualTo(200);
                new SseReader(held.body()).next();
                assertThat(shortStream(survivor, key)).isEqualTo(429);

                doomed.process.destroyForcibly();
                assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                long killed = System.nanoTime();
                Await.until(Duration.ofSeconds(12), () -> shortStream(survivor, key) == 200);
                assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(12));
                held.body().close();
            }
        }
    }

    /** A stream of about twenty seconds. */
    private static String longStream() {
        return "{\"model\":\"gpt-4o-mini;tokens=500;delay_ms=40\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    }

    /** The status of a short stream, read to its end (so that it frees its slot). */
    private static int shortStream(TestGateway gateway, String key) {
        return gateway.send(withKey(gateway.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini;tokens=2\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), key))
                .statusCode();
    }

    private static int models(TestGateway gateway, String key) {
        return gateway.send(withKey(HttpRequest.newBuilder(URI.create(gateway.url("/v1/models"))), key)).statusCode();
    }

    private static long rows(TestGateway gateway, String keyId) {
        return gateway.gateway.database().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from request_log where key_id = :id").bind("id", keyId).mapTo(Long.class).one());
    }

    private static final Map<String, String> KEY_IDS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A new client key with these limits, set through the admin API; the key's secret. */
    static String newKey(TestGateway gateway, String limits) throws Exception {
        JsonNode created = Json.MAPPER.readTree(gateway.send(admin(gateway, "/api/admin/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"shared-limits\"}"))).body());
        HttpResponse<String> set = gateway.send(admin(gateway, "/api/admin/keys/" + created.path("id").asText() + "/limits")
                .PUT(HttpRequest.BodyPublishers.ofString(limits)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        KEY_IDS.put(created.path("key").asText(), created.path("id").asText());
        return created.path("key").asText();
    }

    private static HttpRequest.Builder admin(TestGateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url(path))).header("Authorization", "Bearer " + gateway.adminKey)
                .header("Content-Type", "application/json");
    }

    private static HttpRequest.Builder withKey(HttpRequest.Builder request, String key) {
        return request.setHeader("Authorization", "Bearer " + key);
    }
}
