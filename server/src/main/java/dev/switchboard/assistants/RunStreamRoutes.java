package dev.switchboard.assistants;

import dev.switchboard.auth.Caller;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.stream.ClientGoneException;
import dev.switchboard.stream.EventLog;
import dev.switchboard.stream.Heartbeats;
import dev.switchboard.stream.LogFollower;
import dev.switchboard.stream.LoggedEvent;
import dev.switchboard.stream.NamedEvents;
import dev.switchboard.stream.SseWriter;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seed 000's endpoint, {@code GET /api/v1/openai-realtime/{threadId}/{runId}}: attaches to a run's event stream,
 * replaying what the run has emitted so far, following it live, and ending with {@code event: done}. A run with tool
 * calls has one stream per stretch; they are sent as one, with ids {@code STRETCH-SEQ} so that {@code Last-Event-ID}
 * resumes anywhere. Streams whose log has expired are replayed from the database. Browsers mint a token with
 * {@code POST .../token} and pass it as {@code ?access_token=}, which only this endpoint accepts.
 */
final class RunStreamRoutes {
    static final String PREFIX = "/api/v1/openai-realtime/";
    private static final Pattern THREAD = Pattern.compile("thread_[A-Za-z0-9]{1,64}");
    private static final Pattern RUN = Pattern.compile("run_[A-Za-z0-9]{1,64}");
    private static final Pattern POSITION = Pattern.compile("(\\d{1,6})-(-1|\\d{1,18})");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final byte[] DONE = "event: done\n".getBytes(StandardCharsets.US_ASCII);

    private final RunService runs;
    private final RunStore store;
    private final RunArchive archive;
    private final EventLog log;
    private final Heartbeats heartbeats;
    private final StreamTokens tokens;

    RunStreamRoutes(RunService runs, RunStore store, RunArchive archive, EventLog log, Heartbeats heartbeats, StreamTokens tokens) {
        this.runs = runs;
        this.store = store;
        this.archive = archive;
        this.log = log;
        this.heartbeats = heartbeats;
        this.tokens = tokens;
    }

    void register(ApiRoutes routes) {
        // A browser's EventSource cannot send a key: the run's stream token may stand in for one (its scope is checked here).
        routes.get(PREFIX + "{threadId}/{runId}", ApiRoute.keyOrStreamToken(null), this::attach);
        routes.post(PREFIX + "{threadId}/{runId}/token", ApiRoute.key(), this::mintToken);
    }

    private void attach(Context ctx) throws Exception {
        String threadId = checked(ctx, "threadId", THREAD);
        String runId = checked(ctx, "runId", RUN);
        Caller caller = Admitted.of(ctx).caller();
        if (!caller.mayRead(scope(threadId, runId))) {
            throw new GatewayException(403, "invalid_request_error", "token_scope", null, "This stream token is for another run.");
        }
        runs.retrieve(caller.owner(), threadId, runId);
        int[] stretch = {0};
        long[] after = {-1};
        position(ctx, stretch, after);
        SseWriter client = SseWriter.start(ctx, Map.of());
        try (AutoCloseable ignored = heartbeats.watch(client)) {
            send(client, runId, stretch[0], after[0]);
        } catch (ClientGoneException gone) {
            // the reader left; the run is unaffected
        } catch (EventLog.Unavailable unreadable) {
            // Never a silent end: the reader is told, in the run stream's own shape, and may attach again later.
            client.write(NamedEvents.frame("error", Json.object().put("code", LogFollower.LOG_UNAVAILABLE)
                    .put("message", LogFollower.UNAVAILABLE_MESSAGE).putNull("param").put("type", LogFollower.LOG_UNAVAILABLE)));
            client.write(NamedEvents.frame("done", null));
        }
    }

    /** Sends every stretch from {@code first} on; holds back a stretch's done until no later stretch has begun. */
    private void send(SseWriter client, String runId, int first, long firstAfter) throws Exception {
        byte[] heldDone = null;
        String heldId = null;
        for (int i = first; ; i++) {
            List<String> streams = store.streams(runId);
            if (i >= streams.size()) {
                if (heldDone != null) client.write(heldId, heldDone);
                return;
            }
            heldDone = null;
            long after = i == first ? firstAfter : -1;
            String streamId = streams.get(i);
            if (log.find(streamId).isPresent()) {
                try (EventLog.Cursor cursor = log.read(streamId, after)) {
                    for (LoggedEvent e; (e = cursor.next(POLL)) != LoggedEvent.END; ) {
                        if (client.gone()) return;
                        if (e == null) continue;
                        if (startsWith(e.frame(), DONE)) {
                            heldDone = e.frame();
                            heldId = i + "-" + e.seq();
                        } else {
                            client.write(i + "-" + e.seq(), e.frame());
                        }
                    }
                }
            } else {
                for (Map.Entry<Long, byte[]> e : archive.replay(streamId, after)) {
                    if (startsWith(e.getValue(), DONE)) {
                        heldDone = e.getValue();
                        heldId = i + "-" + e.getKey();
                    } else {
                        client.write(i + "-" + e.getKey(), e.getValue());
                    }
                }
            }
        }
    }

    private void mintToken(Context ctx) {
        String threadId = checked(ctx, "threadId", THREAD);
        String runId = checked(ctx, "runId", RUN);
        Caller caller = Admitted.of(ctx).caller();
        runs.retrieve(caller.owner(), threadId, runId);
        String token = tokens.issue(caller, scope(threadId, runId));
        ctx.status(201).contentType("application/json").result(Json.write(Json.object().put("object", "stream_token")
                .put("token", token).put("expires_at", tokens.expiresAt())
                .put("url", PREFIX + threadId + "/" + runId + "?access_token=" + token)));
    }

    /** {@code Last-Event-ID} (or {@code starting_after}): {@code STRETCH-SEQ}, an id this endpoint sent. */
    private static void position(Context ctx, int[] stretch, long[] after) {
        String header = ctx.header("Last-Event-ID");
        String value = header != null && !header.isBlank() ? header.trim() : ctx.queryParam("starting_after");
        if (value == null || value.isBlank()) return;
        Matcher m = POSITION.matcher(value.trim());
        if (!m.matches()) {
            throw GatewayException.invalidParam("Last-Event-ID", "Last-Event-ID must be an event id this stream sent, "
                    + "such as 0-12.");
        }
        stretch[0] = Integer.parseInt(m.group(1));
        after[0] = Long.parseLong(m.group(2));
    }

    private static String checked(Context ctx, String param, Pattern pattern) {
        String value = ctx.pathParam(param);
        if (!pattern.matcher(value).matches()) {
            throw GatewayException.invalidParam(param, "'" + value + "' is not a " + (pattern == THREAD ? "thread" : "run") + " id.");
        }
        return value;
    }

    static String scope(String threadId, String runId) {
        return "run:" + threadId + "/" + runId;
    }

    private static boolean startsWith(byte[] frame, byte[] prefix) {
        if (frame.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (frame[i] != prefix[i]) return false;
        return true;
    }
}
