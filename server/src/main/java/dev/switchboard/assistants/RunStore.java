package dev.switchboard.assistants;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.switchboard.store.Instances;
import org.jdbi.v3.core.Jdbi;

/** Runs, their steps, and what a run keeps beside its object: its tool transcript and its latest stream. */
final class RunStore {
    private static final Set<String> ACTIVE = Set.of("queued", "in_progress", "requires_action", "cancelling");

    final Documents runs;
    final Documents steps;
    final Documents messages;
    private final Jdbi jdbi;

    RunStore(Jdbi jdbi, Documents messages) {
        this.jdbi = jdbi;
        this.runs = new Documents(jdbi, "runs", true);
        this.steps = new Documents(jdbi, "run_steps", true);
        this.messages = messages;
    }

    /** Every message of a thread, oldest first. */
    List<ObjectNode> threadMessages(String owner, String threadId) {
        List<ObjectNode> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<ObjectNode> page = messages.list(owner, threadId, new Page(100, true, after, null));
            all.addAll(page.subList(0, Math.min(100, page.size())));
            if (page.size() <= 100) return all;
            after = page.get(99).get("id").asText();
        }
    }

    boolean hasActiveRun(String owner, String threadId) {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from runs where owner = :owner and parent_id = :thread "
                        + "and body->>'status' in (<active>))")
                .bind("owner", owner).bind("thread", threadId).bindList("active", List.copyOf(ACTIVE))
                .mapTo(Boolean.class).one());
    }

    ArrayNode transcript(String runId) {
        String json = jdbi.withHandle(h -> h.createQuery("select tool_transcript::text from runs where id = :id")
                .bind("id", runId).mapTo(String.class).one());
        try {
            return (ArrayNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void saveTranscript(String runId, ArrayNode transcript) {
        jdbi.useHandle(h -> h.createUpdate("update runs set tool_transcript = cast(:t as jsonb) where id = :id")
                .bind("id", runId).bind("t", Json.write(transcript)).execute());
    }

    /** Fails the run whose current stream this is, if it is still active: the instance executing it died. */
    void failAbandoned(String streamId, String code) {
        Optional<Map.Entry<String, String>> run = jdbi.withHandle(h -> h.createQuery(
                        "select owner, id from runs where stream_id = :stream")
                .bind("stream", streamId).map((rs, ctx) -> Map.entry(rs.getString("owner"), rs.getString("id"))).findOne());
        run.flatMap(r -> runs.find(r.getKey(), r.getValue()))
                .filter(body -> ACTIVE.contains(body.path("status").asText()))
                .ifPresent(body -> {
                    body.put("status", "failed").put("failed_at", ObjectIds.nowSeconds());
                    body.putObject("last_error").put("code", code)
                            .put("message", "The gateway instance executing this run stopped before it was complete.");
                    runs.replace(run.get().getKey(), body);
                });
    }

    /**
     * Adds a stream (a new stretch of the run) to the run's list, makes it the latest, and names {@code executor} as
     * the instance executing it.
     */
    void addStream(String runId, String streamId, String executor) {
        jdbi.useHandle(h -> h.createUpdate("update runs set stream_id = :s, stream_ids = stream_ids || jsonb_build_array(:s), "
                + "executor = :executor where id = :id").bind("id", runId).bind("s", streamId).bind("executor", executor).execute());
    }

    /** Names the instance about to execute the run, before the run is made active again. */
    void claim(String runId, String executor) {
        jdbi.useHandle(h -> h.createUpdate("update runs set executor = :executor where id = :id")
                .bind("id", runId).bind("executor", executor).execute());
    }

    /**
     * Writes the state a stretch of the run ended in, unless the run has ended meanwhile: cancelled, or failed by
     * another instance that took this one for dead (it was cut off from the database past the lease), which a late
     * write must not undo. Throws while the database is away.
     */
    void settle(String owner, ObjectNode run) {
        jdbi.useHandle(h -> h.createUpdate("update runs set body = cast(:body as jsonb) where id = :id and owner = :owner "
                        + "and body->>'status' in (<active>)")
                .bind("id", run.get("id").asText()).bind("owner", owner).bind("body", Json.write(run))
                .bindList("active", List.copyOf(ACTIVE)).execute());
    }

    /**
     * Fails every active run whose executing instance has lapsed (see {@link Instances#lapsed}), and a run never
     * claimed by an instance once it is older than the lease; its unfinished steps fail and its unfinished message
     * becomes incomplete. One statement per table, so of several instances sweeping at once only one fails each run.
     * Returns the ids of the runs failed.
     */
    List<String> failLapsed(long leaseMillis, String message) {
        ObjectNode error = Json.object().put("code", "server_error").put("message", message);
        return jdbi.inTransaction(h -> {
            List<String> failed = h.createQuery("update runs set body = body || jsonb_build_object('status', 'failed', "
                            + "'failed_at', :now, 'last_error', cast(:error as jsonb)) "
                            + "where body->>'status' in ('queued', 'in_progress', 'cancelling') and (executor is null "
                            + "and created_at < :now - :lease_ms / 1000 or executor is not null and " + Instances.lapsed("runs.executor")
                            + ") returning id")
                    .bind("now", ObjectIds.nowSeconds()).bind("error", Json.write(error)).bind("lease_ms", leaseMillis)
                    .mapTo(String.class).list();
            if (failed.isEmpty()) return failed;
            h.createUpdate("update run_steps set body = body || jsonb_build_object('status', 'failed', 'failed_at', :now) "
                            + "where parent_id in (<runs>) and body->>'status' = 'in_progress'")
                    .bind("now", ObjectIds.nowSeconds()).bindList("runs", failed).execute();
            h.createUpdate("update thread_messages set body = body || jsonb_build_object('status', 'incomplete', "
                            + "'incomplete_at', :now, 'incomplete_details', jsonb_build_object('reason', 'run_failed')) "
                            + "where body->>'run_id' in (<runs>) and body->>'status' = 'in_progress'")
                    .bind("now", ObjectIds.nowSeconds()).bindList("runs", failed).execute();
            return failed;
        });
    }

    /** The run's streams, oldest first. */
    List<String> streams(String runId) {
        return jdbi.withHandle(h -> h.createQuery("select jsonb_array_elements_text(stream_ids) from runs where id = :id")
                .bind("id", runId).mapTo(String.class).list());
    }
}
