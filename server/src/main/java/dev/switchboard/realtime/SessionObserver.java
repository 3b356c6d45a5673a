package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Usage;

/** Something that follows one relayed session's events, off the relay's hot path: a transcript, for example. */
interface SessionObserver {
    /** Whether this event, still unparsed, is one the observer reads; cheap, called for every event. */
    boolean wants(String direction, String rawEvent);

    void onEvent(String direction, ObjectNode event);

    void onEnd(Usage usage);

    SessionObserver NONE = new SessionObserver() {
        @Override
        public boolean wants(String direction, String rawEvent) {
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
