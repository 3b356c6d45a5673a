package dev.switchboard.assistants;

import dev.switchboard.debug.BatchWriter;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Keeps every event of every run's streams in {@code stream_events}, so that a finished run can be replayed after
 * its in-memory log is gone. Written in batches off the run's thread; a retried batch is harmless.
 */
final class RunArchive implements AutoCloseable {
    /** One event to keep. */
    record Event(String streamId, long seq, byte[] frame) {}

    private final Jdbi jdbi;
    private final BatchWriter<Event> writer;

    RunArchive(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.writer = new BatchWriter<>("run-events", 100_000, 500, Duration.ofMillis(100), this::insert,
                event -> event.streamId() + " event " + event.seq());
    }

    /** Registers a stream before its events: a row in {@code streams}, written at once (it is rare). */
    void open(String streamId, String keyId, String model) {
        jdbi.useHandle(h -> h.createUpdate("insert into streams (id, key_id, endpoint, model, status) "
                        + "values (:id, :key, :endpoint, :model, 'running') on conflict (id) do nothing")
                .bind("id", streamId).bind("key", keyId).bind("endpoint", RunEngine.ENDPOINT).bind("model", model).execute());
    }

    void keep(String streamId, long seq, byte[] frame) {
        writer.offer(new Event(streamId, seq, frame));
    }

    /** A stream's kept events after {@code after}, in order. */
    List<Map.Entry<Long, byte[]>> replay(String streamId, long after) {
        return jdbi.withHandle(h -> h.createQuery("select seq, frame from stream_events where stream_id = :id and seq > :after order by seq")
                .bind("id", streamId).bind("after", after)
                .map((rs, ctx) -> Map.entry(rs.getLong("seq"), rs.getBytes("frame"))).list());
    }

    private void insert(List<Event> batch) throws java.sql.SQLException {
        jdbi.useTransaction(h -> {
            try (PreparedStatement insert = h.getConnection().prepareStatement(
                    "insert into stream_events (stream_id, seq, frame) values (?, ?, ?) on conflict do nothing")) {
                for (Event e : batch) {
                    insert.setString(1, e.streamId());
                    insert.setLong(2, e.seq());
                    insert.setBytes(3, e.frame());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    @Override
    public void close() {
        writer.close();
    }
}
