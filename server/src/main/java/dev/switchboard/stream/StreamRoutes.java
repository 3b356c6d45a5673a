package dev.switchboard.stream;

import dev.switchboard.auth.Caller;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.web.GatewayException;
import io.javalin.http.Context;
import java.util.Map;

/**
 * {@code GET /v1/streams/{id}}: resumes a relayed stream after the event named by {@code Last-Event-ID} (or the
 * {@code starting_after} query parameter): the events since then, then the live tail until the stream ends.
 * Works on the stream's owner's keys only; another owner gets 404. A stream past its retention is 410.
 */
public final class StreamRoutes {
    private final EventLog log;
    private final LogFollower follower;

    public StreamRoutes(LogFollower follower) {
        this.log = follower.log();
        this.follower = follower;
    }

    public void register(ApiRoutes routes) {
        routes.get("/v1/streams/{id}", ApiRoute.key(), this::resume);
    }

    private void resume(Context ctx) throws Exception {
        Caller caller = Admitted.of(ctx).caller();
        String id = ctx.pathParam("id");
        if (!id.matches("strm_[A-Za-z0-9]{1,64}")) throw GatewayException.invalidParam("id", "'" + id + "' is not a stream id: use the "
                + "X-Switchboard-Stream-Id a stream was answered with (strm_…).");
        StreamMeta meta = log.find(id).filter(m -> m.owner().equals(caller.owner())).orElseThrow(() -> log.expired(id)
                ? new GatewayException(410, "invalid_request_error", "stream_expired", null,
                "Stream " + id + " has ended and is no longer kept (SWITCHBOARD_STREAM_RETENTION). Start a new request.")
                : GatewayException.notFound("stream", id));
        long after = position(ctx);
        long last = log.lastSeq(id);
        if (after > last) {
            // A live stream's later ids do not exist yet: a reader cannot have been given one.
            throw GatewayException.invalidParam(positionParam(ctx), "Event " + after + " is beyond stream " + id
                    + ", whose last event so far is " + last + ". Send the id of the last event you received, "
                    + "or none to read the stream from its start.");
        }
        SseWriter client = SseWriter.start(ctx, Map.of("X-Switchboard-Stream-Id", meta.id()));
        follower.follow(id, after, client);
    }

    /**
     * The last event the client has: {@code Last-Event-ID} wins over {@code starting_after}; -1 for all. Refused
     * with 400 unless a whole number from -1.
     */
    private static long position(Context ctx) {
        String value = hasHeader(ctx) ? ctx.header("Last-Event-ID").trim() : ctx.queryParam("starting_after");
        if (value == null || value.isBlank()) return -1;
        try {
            long n = Long.parseLong(value.trim());
            if (n >= -1) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw GatewayException.invalidParam(positionParam(ctx), positionParam(ctx) + " must be an event id from this "
                + "stream: a whole number from 0.");
    }

    private static String positionParam(Context ctx) {
        return hasHeader(ctx) ? "Last-Event-ID" : "starting_after";
    }

    private static boolean hasHeader(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        return header != null && !header.isBlank();
    }
}
