package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Usage;

/** Something that follows one relayed session's events, off the relay's hot path: a transcript, for example. */
interface SessionObserver {
    /** Whether the observer reads events of this type (null when unknown); called for every event, so cheap. */
    boolean wants(String direction, String type);

    void onEvent(String direction, ObjectNode event);

    void onEnd(Usage usage);

    SessionObserver NONE = new SessionObserver() {
        @Override
        public boolean wants(String direction, String type) {
            return false;
        }

        @Override
        public void onEvent(String direction, ObjectNode event) {
        }

        @Override
        public void onEnd(Usage usage) {
        }
    };
}
