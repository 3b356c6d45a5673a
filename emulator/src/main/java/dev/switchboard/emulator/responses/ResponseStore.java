package dev.switchboard.emulator.responses;

import java.util.LinkedHashMap;
import java.util.Map;

/** The most recent responses, bounded so that a long benchmark run does not grow the emulator without limit. */
public final class ResponseStore {
    private static final int CAPACITY = 10_000;

    private final Map<String, ResponseRecord> byId = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ResponseRecord> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void put(ResponseRecord record) {
        byId.put(record.id, record);
    }

    synchronized ResponseRecord get(String id) {
        return byId.get(id);
    }

    synchronized ResponseRecord remove(String id) {
        return byId.remove(id);
    }
}
