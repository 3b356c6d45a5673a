package dev.switchboard.emulator;

import java.util.Map;

/** A request the emulator received, kept for tests to assert on what the gateway sent upstream. */
public record RecordedRequest(String method, String path, String query, Map<String, String> headers, String body) {
    /** A header by case-insensitive name, or null. */
    public String header(String name) {
        for (var entry : headers.entrySet()) if (entry.getKey().equalsIgnoreCase(name)) return entry.getValue();
        return null;
    }
}
