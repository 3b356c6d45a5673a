package dev.switchboard.emulator.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.conversations.Conversations;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One response and its stream of events, kept so that clients can retrieve it, resume its stream from any
 * sequence number, and cancel it while it runs. Events are appended by one generator thread and read by any
 * number of followers.
 */
final class ResponseRecord {
    final String id;
    final JsonNode request;
    final String model;
    final boolean background;
    final long createdAt = Ids.nowSeconds();
    /** The request's input as items with ids, for {@code GET /v1/responses/{id}/input_items}. */
    final java.util.List<ObjectNode> inputItems;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> frames = new ArrayList<>();
    private ObjectNode snapshot;
    private boolean finished;
    private volatile boolean cancelled;

    ResponseRecord(String id, JsonNode request, String model, boolean background) {
        this.id = id;
        this.request = request;
        this.model = model;
        this.background = background;
        java.util.List<ObjectNode> items = new ArrayList<>();
        JsonNode input = request.path("input");
        if (input.isTextual()) items.add(Conversations.normalise(Json.obj("type", "message", "role", "user", "content", input.asText())));
        else for (JsonNode item : input) items.add(Conversations.normalise(item));
        this.inputItems = java.util.List.copyOf(items);
    }

    /** Appends one event (its sequence number is its index) and the response object as it now stands. */
    void append(String frame, ObjectNode responseNow) {
        lock.lock();
        try {
            frames.add(frame);
            snapshot = responseNow;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void setSnapshot(ObjectNode responseNow) {
        lock.lock();
        try {
            snapshot = responseNow;
        } finally {
            lock.unlock();
        }
    }

    void finish() {
        lock.lock();
        try {
            finished = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the response cancelled; the generator notices before its next event. */
    boolean cancel() {
        lock.lock();
        try {
            if (finished) return false;
            cancelled = true;
            snapshot = snapshot.deepCopy().put("status", "cancelled");
            finished = true;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    ObjectNode snapshot() {
        lock.lock();
        try {
            return snapshot;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the frame with this sequence number, waiting for it while the response runs; null once the response
     * has finished without producing it.
     */
    String awaitFrame(int sequenceNumber) throws InterruptedException {
        lock.lock();
        try {
            while (frames.size() <= sequenceNumber && !finished) changed.await(1, TimeUnit.SECONDS);
            return frames.size() > sequenceNumber ? frames.get(sequenceNumber) : null;
        } finally {
            lock.unlock();
        }
    }
}
