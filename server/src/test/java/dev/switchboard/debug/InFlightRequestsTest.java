package dev.switchboard.debug;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Await;
import dev.switchboard.TestDatabase;
import dev.switchboard.config.DatabaseSettings;
import dev.switchboard.config.Secret;
import dev.switchboard.observe.Exchange;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.store.Database;
import dev.switchboard.store.Instances;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rows of requests in flight against a PostgreSQL of the test's own: a request is recorded once whatever
 * happens to its instance, whoever settles it and whenever its real row comes.
 */
class InFlightRequestsTest {
    /** An instance is dead when its heartbeat is older than this (the default lease). */
    private static final long LEASE_MS = 30_000;
    private String url;
    private Database database;
    private Jdbi jdbi;
    private RequestLogRepository repository;

    @BeforeEach
    void migrate() throws Exception {
        url = TestDatabase.freshDatabase(TestDatabase.sharedUrl());
        database = Database.connect(new DatabaseSettings(Optional.of(Secret.of(url))), Path.of("unused"));
        database.migrate();
        jdbi = database.jdbi();
        repository = new RequestLogRepository(jdbi);
    }

    @AfterEach
    void drop() throws Exception {
        database.close();
        TestDatabase.drop(TestDatabase.sharedUrl(), url);
    }

    @Test
    void aRequestItsInstanceRecordedIsNotRecordedAgainWhenThatInstanceDies() throws Exception {
        try (InFlightRequests dead = new InFlightRequests(repository, "gw_dead");
             InFlightRequests survivor = new InFlightRequests(repository, "gw_survivor");
             RequestRecorder recorder = new RequestRecorder(repository, false)) {
            Exchange exchange = exchange(ExchangeListener.all(dead, recorder));
            Await.until(Duration.ofSeconds(10), () -> count("requests_in_flight") == 1);
            exchange.finish("completed", null);
            Await.until(Duration.ofSeconds(10), () -> count("request_log") == 1 && count("requests_in_flight") == 0);

            // A start or a progress row written after the request's row is refused, and one that slips in is dropped.
            repository.upsertInFlight("gw_dead", List.of(RequestRow.of(exchange)));
            assertThat(count("requests_in_flight")).isZero();
            jdbi.useHandle(h -> h.execute("insert into requests_in_flight (request_id, instance_id, endpoint, streaming, "
                    + "created_at) values (?, 'gw_dead', '/v1/responses', true, now())", exchange.requestId()));
            survivor.settleDeadInstances(LEASE_MS);
            assertThat(count("requests_in_flight")).isZero();
            assertThat(outcomes()).containsExactly("completed");
        }
    }

    @Test
    void aDeadInstancesRequestHasOneWinnerAmongInstancesSettlingAtOnceAndItsLateRealRowReplacesIt() throws Exception {
        try (InFlightRequests dead = new InFlightRequests(repository, "gw_dead");
             RequestRecorder recorder = new RequestRecorder(repository, false)) {
            Exchange exchange = exchange(ExchangeListener.all(dead, recorder));
            Await.until(Duration.ofSeconds(10), () -> count("requests_in_flight") == 1);

            List<CompletableFuture<Integer>> settling = List.of("gw_a", "gw_b", "gw_c", "gw_d").stream()
                    .map(id -> CompletableFuture.supplyAsync(() -> repository.settleInFlight(id, false, LEASE_MS, "interrupted",
                            "gateway_instance_lost"))).toList();
            assertThat(settling.stream().mapToInt(CompletableFuture::join).sum()).isEqualTo(1);
            assertThat(outcomes()).containsExactly("interrupted");

            // The instance was only cut off from the database: its real row, when it comes, is the one kept.
            exchange.finish("completed", null);
            Await.until(Duration.ofSeconds(10), () -> outcomes().equals(List.of("completed")));
        }
    }

    @Test
    void theRequestsOfALiveInstanceAreLeftAlone() throws Exception {
        try (Instances alive = new Instances(jdbi, Duration.ofSeconds(5), Duration.ofSeconds(15));
             InFlightRequests live = new InFlightRequests(repository, alive.id());
             InFlightRequests other = new InFlightRequests(repository, "gw_other")) {
            exchange(live);
            Await.until(Duration.ofSeconds(10), () -> count("requests_in_flight") == 1
                    && count("gateway_instances") == 1);
            other.settleDeadInstances(LEASE_MS);
            assertThat(count("requests_in_flight")).isEqualTo(1);
            assertThat(count("request_log")).isZero();

            // At a clean stop, what is still in flight is recorded by the instance itself.
            live.settleOwn();
            assertThat(outcomes()).containsExactly("shutdown");
        }
    }

    private static Exchange exchange(ExchangeListener listener) {
        return new Exchange("sbreq_" + UUID.randomUUID(), "key_1", "key", "owner", "/v1/responses", "gpt-4o-mini",
                true, listener);
    }

    private long count(String table) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from " + table).mapTo(Long.class).one());
    }

    private List<String> outcomes() {
        return jdbi.withHandle(h -> h.createQuery("select outcome from request_log").mapTo(String.class).list());
    }
}
