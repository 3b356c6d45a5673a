package dev.switchboard.emulator;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * Writes one Server-Sent Events response and applies the script's faults: a delay before each token, an abrupt
 * connection drop after N events, or a stall after N events (until released, or two minutes). Single-threaded:
 * owned by the request's thread.
 */
public final class EventStream {
    private static final long STALL_LIMIT_MILLIS = 120_000;

    private final Context ctx;
    private final Script script;
    private final StallGate stalls;
    private final OutputStream out;
    private int sent;

    private EventStream(Context ctx, Script script, StallGate stalls) throws IOException {
        this.ctx = ctx;
        this.script = script;
        this.stalls = stalls;
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        if (ctx.res().getHeader("x-request-id") == null) ctx.res().setHeader("x-request-id", Ids.next("req_"));
        this.out = ctx.res().getOutputStream();
        out.flush();
    }

    public static EventStream open(Context ctx, Script script, StallGate stalls) throws IOException {
        return new EventStream(ctx, script, stalls);
    }

    /** Sends {@code event: NAME} (omitted when null) and {@code data: DATA}, then flushes. */
    public void send(String event, String data, boolean isToken) throws IOException {
        if (isToken) Delays.sleep(script.delayMillis());
        String frame = (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
        sendRaw(frame.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends already-framed bytes (one or more complete events) exactly as given. */
    public void sendRaw(byte[] frame) throws IOException {
        applyFaults();
        out.write(frame);
        out.flush();
        sent++;
    }

    public void pause() {
        Delays.sleep(script.delayMillis());
    }

    private void applyFaults() throws IOException {
        if (script.dropAfter() != null && sent == script.dropAfter()) {
            abortConnection();
            throw new IOException("emulated mid-stream drop");
        }
        if (script.stallAfter() != null && sent == script.stallAfter()) {
            // Released by the test (the stream then goes on) or ended at the limit.
            stalls.await(STALL_LIMIT_MILLIS);
        }
    }

    /** Closes the TCP connection without finishing the chunked body, as a crashed upstream would. */
    private void abortConnection() {
        ServletContextRequest.getServletContextRequest(ctx.req())
                .getConnectionMetaData().getConnection().getEndPoint().close();
    }
}
