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

    /** Adds a stream (a new stretch of the run) to the run's list, and makes it the latest. */
    void addStream(String runId, String streamId) {
        jdbi.useHandle(h -> h.createUpdate("update runs set stream_id = :s, stream_ids = stream_ids || jsonb_build_array(:s) "
                + "where id = :id").bind("id", runId).bind("s", streamId).execute());
    }

    /** The run's streams, oldest first. */
    List<String> streams(String runId) {
        return jdbi.withHandle(h -> h.createQuery("select jsonb_array_elements_text(stream_ids) from runs where id = :id")
                .bind("id", runId).mapTo(String.class).list());
    }
}
