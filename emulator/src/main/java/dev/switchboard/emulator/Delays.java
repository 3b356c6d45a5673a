package dev.switchboard.emulator;

/** The scripted pauses between streamed events. */
public final class Delays {
    private Delays() {}

    /** Sleeps {@code millis} (nothing when not positive); false when interrupted, with the interrupt kept. */
    public static boolean sleep(long millis) {
        if (millis <= 0) return true;
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
