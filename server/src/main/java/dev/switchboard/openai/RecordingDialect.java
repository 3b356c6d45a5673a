package dev.switchboard.openai;

import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.stream.ForwardingDialect;
import dev.switchboard.stream.SseFrame;
import dev.switchboard.stream.StreamDialect;
import dev.switchboard.web.Json;
import java.nio.charset.StandardCharsets;

/**
 * A relayed stream whose events may create objects: each such event goes to {@link ApiOwnership#recordEvent} before
 * it reaches the client or the log, so that the client's next call with the id finds it its own. Only the events that
 * can name one are parsed, so deltas cost nothing more: of a stream whose events the gateway knows (Chat Completions,
 * Responses), the first (a chat chunk's id, {@code response.created}), any {@code *.created}, and any naming a
 * container (a code interpreter call's); of any other stream, every event whose bytes hold an {@code "id"} key. One
 * per stream.
 */
final class RecordingDialect extends ForwardingDialect {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordingDialect.class);
    private static final byte[] ID_KEY = "\"id\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CREATED = ".created\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OUTPUT_ITEM = "\"response.output_item.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTAINER_ID = "\"container_id\"".getBytes(StandardCharsets.US_ASCII);

    private final boolean knownEvents;
    private final ApiOwnership ownership;
    private final String owner;
    private final String method;
    private final String path;
    private boolean seenData;
    private SseFrame judged;
    private boolean judgedMayName;

    private RecordingDialect(StreamDialect dialect, boolean knownEvents, ApiOwnership ownership, String owner,
                             String method, String path) {
        super(dialect);
        this.knownEvents = knownEvents;
        this.ownership = ownership;
        this.owner = owner;
        this.method = method;
        this.path = path;
    }

    /** A stream of an endpoint whose events {@code dialect} knows. */
    static RecordingDialect ofKnown(StreamDialect dialect, ApiOwnership ownership, String owner, String method, String path) {
        return new RecordingDialect(dialect, true, ownership, owner, method, path);
    }

    /** A stream of any other endpoint: which of its events name what they create is not known. */
    static RecordingDialect ofAny(StreamDialect dialect, ApiOwnership ownership, String owner, String method, String path) {
        return new RecordingDialect(dialect, false, ownership, owner, method, path);
    }

    /** An event that may name an object is recorded, in the database: not on the I/O thread. */
    @Override
    public boolean mayBlock(SseFrame frame) {
        return super.mayBlock(frame) || (frame.hasData() && judge(frame));
    }

    @Override
    public void beforeRelay(SseFrame frame) {
        super.beforeRelay(frame);
        if (!frame.hasData() || !judge(frame)) return;
        com.fasterxml.jackson.databind.JsonNode event;
        try {
            event = Json.MAPPER.readTree(frame.data());
        } catch (Exception unreadable) {
            return; // an event that is not JSON creates nothing the client could name
        }
        if (event == null || !event.isObject()) return;
        try {
            ownership.recordEvent(owner, method, path, event);
        } catch (RuntimeException failed) {
            // The relay must go on; the owner of what this event created is unknown, so its id will be refused.
            LOG.warn("could not record the objects a {} {} event created", method, path, failed);
        }
    }

    /** {@link #mayName}, judged once per event: the relay asks before it relays the event, then relays it. */
    private boolean judge(SseFrame frame) {
        if (frame != judged) {
            judged = frame;
            judgedMayName = mayName(frame);
        }
        return judgedMayName;
    }

    /**
     * Whether the event may name an object, read from its bytes (and its event line, which the dialect reads anyway),
     * never by decoding its data: this runs for every event of every relayed stream, deltas included.
     */
    private boolean mayName(SseFrame frame) {
        if (!knownEvents) return frame.rawContains(ID_KEY);
        boolean first = !seenData;
        seenData = true;
        if (first) return true;
        String name = frame.event();
        // Each output item's id, which a later request may reference ({"type": "item_reference"}).
        if (name != null) return name.endsWith(".created") || name.startsWith("response.output_item.");
        return frame.rawContains(CREATED) || frame.rawContains(OUTPUT_ITEM) || frame.rawContains(CONTAINER_ID);
    }
}
