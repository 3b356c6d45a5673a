package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 2: the record by which commands find a running gateway's data directory. */
class RunningGatewaysTest {
    @TempDir
    Path records;

    @Test
    void aGatewayIsListedWhileItRunsAndNotOnceItStopped() throws Exception {
        Path data = records.resolve("../some/./data");
        AutoCloseable registered = RunningGateways.register(records, data, 18080);
        assertThat(RunningGateways.list(records)).containsExactly(new RunningGateways.Entry(ProcessHandle.current().pid(),
                18080, data.toAbsolutePath().normalize()));
        registered.close();
        assertThat(RunningGateways.list(records)).isEmpty();
    }

    @Test
    void theRecordOfAProcessThatEndedWithoutRemovingItIsIgnoredAndRemoved() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertThat(ended.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Path stale = records.resolve(ended.pid() + "-8080.properties");
        Files.writeString(stale, "pid=" + ended.pid() + "\nport=8080\ndata_dir=/srv/switchboard/data\n");
        Files.writeString(records.resolve("garbled.properties"), "pid=not-a-number\n");
        assertThat(RunningGateways.list(records)).isEmpty();
        assertThat(stale).doesNotExist();
    }

    @Test
    void aDataDirectoryHasADatabaseOnceAGatewayMadeOne() throws Exception {
        assertThat(RunningGateways.hasDatabase(records)).isFalse();
        Files.createDirectories(records.resolve("postgres"));
        Files.writeString(records.resolve("postgres/PG_VERSION"), "18\n");
        assertThat(RunningGateways.hasDatabase(records)).isTrue();
    }
}
