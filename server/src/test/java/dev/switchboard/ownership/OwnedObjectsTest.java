package dev.switchboard.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.config.DatabaseSettings;
import dev.switchboard.config.Secret;
import dev.switchboard.store.Database;
import dev.switchboard.stream.CancellationTest;
import dev.switchboard.web.GatewayException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The registry of owned objects with its database stopped and started again: what an instance records meanwhile it
 * keeps seeing at once and stores once the database is back; an owner it cannot read is a 503, never "nobody's"
 * (which would be a 404 for the object's own owner) nor "anybody's".
 */
class OwnedObjectsTest {
    private static final OwnedKind KIND = new OwnedKind("test_object", "Test object");

    @Test
    void recordsMadeWhileTheDatabaseIsDownAreSeenAtOnceAndStoredWhenItIsBack() throws Exception {
        Path dataDir = Files.createTempDirectory("switchboard-owned-pg");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        EmbeddedPostgres postgres = start(dataDir, port);
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        try (Database database = Database.connect(new DatabaseSettings(Optional.of(Secret.of(url))), Path.of("unused"));
             OwnedObjects objects = new OwnedObjects(database.jdbi())) {
            database.migrate();
            objects.record(KIND, "obj_before", "owner-a");
            assertThat(objects.owns("owner-a", KIND, "obj_before")).isTrue();
            assertThat(objects.owns("owner-b", KIND, "obj_before")).isFalse();

            postgres.close();
            objects.record(KIND, "obj_during", "owner-a");
            assertThat(objects.owns("owner-a", KIND, "obj_during")).isTrue();
            assertThat(objects.owns("owner-b", KIND, "obj_before")).isFalse();
            assertThatThrownBy(() -> objects.owns("owner-a", KIND, "obj_never_seen_here"))
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.code()).isEqualTo("database_unavailable");
                    });

            postgres = start(dataDir, port);
            // Another instance, which saw nothing of it, finds the record written once the database is back.
            try (OwnedObjects another = new OwnedObjects(database.jdbi())) {
                CancellationTest.awaitTrue(() -> {
                    try {
                        return another.owns("owner-a", KIND, "obj_during");
                    } catch (GatewayException stillDown) {
                        return false;
                    }
                });
                assertThat(another.owns("owner-b", KIND, "obj_during")).isFalse();
            }
        } finally {
            postgres.close();
        }
    }

    private static EmbeddedPostgres start(Path dataDir, int port) throws java.io.IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
    }
}
