package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestDatabase;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.CreatedKey;
import dev.switchboard.config.DatabaseSettings;
import dev.switchboard.config.Secret;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one migration set runs unchanged on the embedded PostgreSQL and on the machine's PostgreSQL. */
class MigrationsTest {
    /** The machine's server (this machine kind runs one on 5432 with trust auth); override with TEST_POSTGRES_URL. */
    static final String MACHINE_URL = Optional.ofNullable(System.getenv("TEST_POSTGRES_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    static Stream<Arguments> servers() {
        return Stream.of(Arguments.of("embedded", TestDatabase.sharedUrl()), Arguments.of("machine", MACHINE_URL));
    }

    @ParameterizedTest(name = "{0} PostgreSQL")
    @MethodSource("servers")
    void migratesAnEmptyDatabaseAndKeepsKeysThere(String which, String adminUrl) throws Exception {
        requireReachable(which, adminUrl);
        String url = TestDatabase.freshDatabase(adminUrl);
        try (Database database = Database.connect(new DatabaseSettings(Optional.of(Secret.of(url))), Path.of("unused"))) {
            assertThat(database.pendingMigrations()).isPositive();
            assertThat(database.migrate()).isPositive();
            assertThat(database.pendingMigrations()).isZero();
            assertThat(database.migrate()).isZero();

            List<String> tables = database.jdbi().withHandle(h -> h.createQuery(
                    "select table_name from information_schema.tables where table_schema = 'public'").mapTo(String.class).list());
            assertThat(tables).contains("api_keys", "agent_sessions", "agent_runs", "chatkit_sessions",
                    "openai_debug_events", "streams", "stream_events");

            ApiKeys keys = new ApiKeys(database.jdbi());
            CreatedKey created = keys.create("store-test", "owner-a", false);
            assertThat(keys.authenticate(created.secret())).hasValueSatisfying(c -> assertThat(c.owner()).isEqualTo("owner-a"));
            keys.revoke(created.key().id());
            assertThat(keys.authenticate(created.secret())).isEmpty();
        } finally {
            TestDatabase.drop(adminUrl, url);
        }
    }

    private static void requireReachable(String which, String url) {
        try (Connection ignored = DriverManager.getConnection(url)) {
            // reachable
        } catch (Exception e) {
            String message = "The " + which + " PostgreSQL at " + url + " is not reachable (" + e.getMessage()
                    + "). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";
            if (System.getenv("CI") != null) throw new AssertionError(message, e);
            Assumptions.abort(message);
        }
    }
}
