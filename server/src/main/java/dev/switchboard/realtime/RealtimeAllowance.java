package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.limits.Limits;
import dev.switchboard.observe.Usage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What a Realtime session may use of its key: it holds one of the key's concurrent Realtime sessions until it
 * ends, and when a response leaves the key's token budget used up, the session is ended after that response
 * (never in the middle of one).
 */
final class RealtimeAllowance implements SessionObserver {
    private final Limits.Budget budget;
    private final Limits.Slot slot;
    private final Consumer<String> endSession;
    private final AtomicBoolean ending = new AtomicBoolean();
    private long tokens;

    /** @param endSession ends the session after the response now finishing, with the reason given */
    RealtimeAllowance(Limits.Budget budget, Limits.Slot slot, Consumer<String> endSession) {
        this.budget = budget;
        this.slot = slot;
        this.endSession = endSession;
    }

    @Override
    public boolean wants(String direction, String type) {
        return direction.equals("upstream") && "response.done".equals(type);
    }

    @Override
    public void onEvent(String direction, ObjectNode event) {
        Usage usage = Usage.fromJson(event.path("response").path("usage"));
        long total;
        synchronized (this) {
            tokens += usage == null ? 0 : usage.totalTokens();
            total = tokens;
        }
        budget.exhausted(total).ifPresent(refusal -> {
            if (ending.compareAndSet(false, true)) endSession.accept(refusal.getMessage());
        });
    }

    @Override
    public void onEnd(Usage usage) {
        slot.close();
    }
}
