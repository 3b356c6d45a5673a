package dev.switchboard.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.observe.Usage;

/** Something that follows one relayed session's events, off the relay's hot path: a transcript, for example. */
interface SessionObserver {
    /** Whether the observer reads events of this type (null when unknown); called for every event, so cheap. */
    boolean wants(String direction, String type);

    void onEvent(String direction, ObjectNode event);

    void onEnd(Usage usage);

    /** Several observers as one: each sees the events it wants. */
    static SessionObserver all(SessionObserver... observers) {
        return new SessionObserver() {
            @Override
            public boolean wants(String direction, String type) {
                for (SessionObserver observer : observers) if (observer.wants(direction, type)) return true;
                return false;
            }

            @Override
            public void onEvent(String direction, ObjectNode event) {
                String type = event.path("type").asText(null);
                for (SessionObserver observer : observers) if (observer.wants(direction, type)) observer.onEvent(direction, event);
            }

            @Override
            public void onEnd(Usage usage) {
                for (SessionObserver observer : observers) observer.onEnd(usage);
            }
        };
    }

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
