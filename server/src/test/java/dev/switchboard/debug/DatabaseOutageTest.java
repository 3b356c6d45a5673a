package dev.switchboard.debug;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.TestGateway;
import dev.switchboard.limits.KeyLimitStore;
import dev.switchboard.stream.CancellationTest;
import dev.switchboard.web.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The database stops in the middle of a stream: the stream and new requests keep flowing, the request and debug
 * records wait, and once the database is back every record is written exactly once.
 */
public class DatabaseOutageTest {

    @Test
    void streamsKeepFlowingAndRecordsAreWrittenOnceTheDatabaseIsBack() throws Exception {
        OwnPostgres database = OwnPostgres.create();
        EmbeddedPostgres postgres = database.start();
        try (TestGateway gw = TestGateway.start(Map.of("DATABASE_URL", database.url(), "SWITCHBOARD_DEBUG_EVENTS", "true"))) {
            gw.emulator.script("outage-slow", "{\"tokens\":20,\"delay_ms\":100}");
            List<String> requestIds = new ArrayList<>();
            requestIds.add(requestId(gw.send(gw.post("/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"warm\"}"))));

            HttpResponse<InputStream> during = gw.open(gw.post("/v1/chat/completions",
                    "{\"model\":\"outage-slow\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
            requestIds.add(during.headers().firstValue("X-Switchboard-Request-Id").orElseThrow());
            postgres.close();
            String streamed;
            try (InputStream body = during.body()) {
                streamed = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(streamed).endsWith("data: [DONE]\n\n");

            HttpResponse<String> whileDown = gw.send(gw.post("/v1/chat/completions",
                    "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"still here\"}]}"));
            assertThat(whileDown.statusCode()).isEqualTo(200);
            assertThat(whileDown.body()).contains("still").endsWith("data: [DONE]\n\n");
            requestIds.add(requestId(whileDown));
            CancellationTest.awaitTrue(() -> gw.gateway.recorder().retriedBatches() > 0);
            assertThat(gw.gateway.recorder().queueDepth()).isPositive();

            postgres = database.start();
            CancellationTest.awaitTrue(() -> gw.gateway.recorder().queueDepth() == 0 && count(gw, "request_log", requestIds) == 3);
            assertThat(count(gw, "request_log", requestIds)).isEqualTo(3);
            CancellationTest.awaitTrue(() -> count(gw, "openai_debug_events", requestIds) == 3);
            assertThat(gw.gateway.recorder().dropped()).isZero();
        } finally {
            postgres.close();
        }
    }

    @Test
    void aKeysLimitsKeepHoldingWhileTheDatabaseIsDown() throws Exception {
        OwnPostgres database = OwnPostgres.create();
        EmbeddedPostgres postgres = database.start();
        try (TestGateway gw = TestGateway.start(Map.of("DATABASE_URL", database.url()))) {
            JsonNode created = Json.MAPPER.readTree(gw.send(admin(gw, "/api/admin/keys")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"outage-limited\"}"))).body());
            String key = created.path("key").asText();
            assertThat(gw.send(admin(gw, "/api/admin/keys/" + created.path("id").asText() + "/limits").PUT(
                    HttpRequest.BodyPublishers.ofString("{\"models\":[\"gpt-4o-mini\"],\"tokens_per_day\":1000000}")))
                    .statusCode()).isEqualTo(200);
            assertThat(chat(gw, key, "gpt-4o-mini").statusCode()).isEqualTo(200);

            postgres.close();
            // Past the time the limits are cached for: from now on they can only come from what was last read.
            Thread.sleep(KeyLimitStore.FRESH.plusSeconds(1).toMillis());
            HttpResponse<String> allowed = chat(gw, key, "gpt-4o-mini");
            assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
            HttpResponse<String> refused = chat(gw, key, "gpt-4o");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(refused.body()).contains("model_not_allowed_for_key");
        } finally {
            postgres.close();
        }
    }

    private static HttpResponse<String> chat(TestGateway gw, String key, String model) {
        return gw.send(gw.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}").setHeader("Authorization", "Bearer " + key));
    }

    private static HttpRequest.Builder admin(TestGateway gw, String path) {
        return HttpRequest.newBuilder(URI.create(gw.url(path))).header("Authorization", "Bearer " + gw.adminKey)
                .header("Content-Type", "application/json");
    }

    /** A PostgreSQL of the test's own, stopped and started again on the same port and data. */
    public record OwnPostgres(Path dataDir, int port) {
        public static OwnPostgres create() throws java.io.IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return new OwnPostgres(Files.createTempDirectory("switchboard-outage-pg"), socket.getLocalPort());
            }
        }

        public EmbeddedPostgres start() throws java.io.IOException {
            return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
        }

        public String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        }
    }

    private static long count(TestGateway gw, String table, List<String> requestIds) {
        try {
            return gw.gateway.database().jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from " + table + " where request_id in (<ids>)")
                    .bindList("ids", requestIds).mapTo(Long.class).one());
        } catch (RuntimeException databaseStillDown) {
            return -1;
        }
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Switchboard-Request-Id").orElseThrow();
    }
}
