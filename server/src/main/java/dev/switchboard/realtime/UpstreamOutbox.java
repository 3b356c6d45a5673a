package dev.switchboard.realtime;

import java.net.http.WebSocket;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The events bound for one upstream Realtime socket, sent in the order they were given, one at a time: the JDK
 * client refuses a second text send while one is still being written, and the client's events and the gateway's
 * own (a voice session's set-up, tool outputs) share the socket. No lock is held, and no thread waits, while an event
 * is being written: whoever finds the outbox idle starts the next send, and each send's completion starts the one
 * after it. The queue is as long as its senders let it grow; the bridge waits for each client event to be taken
 * before it reads the next, so it holds at most one of those plus the gateway's own few.
 */
final class UpstreamOutbox {
    private record Pending(String text, CompletableFuture<Void> taken) {}

    private final WebSocket socket;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();

    UpstreamOutbox(WebSocket socket) {
        this.socket = socket;
    }

    /** Queues one event; the future completes once the socket took it, or fails with the socket's error. */
    CompletableFuture<Void> send(String text) {
        var pending = new Pending(text, new CompletableFuture<>());
        queue.add(pending);
        sendNext();
        return pending.taken();
    }

    private void sendNext() {
        // Whoever wins the flag sends; a sender that loses leaves its event to the winner's completion. The
        // re-check after clearing the flag catches an event queued between the empty poll and the clear.
        while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
            Pending next = queue.poll();
            if (next == null) {
                sending.set(false);
                continue;
            }
            CompletableFuture<WebSocket> written;
            try {
                written = socket.sendText(next.text(), true);
            } catch (RuntimeException refused) {
                written = CompletableFuture.failedFuture(refused);
            }
            // Completed on the client's own thread (or here, when already written): the next send starts there.
            written.whenComplete((ok, error) -> {
                sending.set(false);
                if (error == null) next.taken().complete(null);
                else next.taken().completeExceptionally(error);
                sendNext();
            });
            return;
        }
    }
}
