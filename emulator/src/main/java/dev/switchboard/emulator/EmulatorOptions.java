package dev.switchboard.emulator;

/**
 * How to run the emulator.
 *
 * @param host   address to bind; loopback by default
 * @param port   port to bind; 0 picks a free one
 * @param apiKey the only API key accepted, or null to accept any non-empty bearer token
 */
public record EmulatorOptions(String host, int port, String apiKey) {
    public static EmulatorOptions defaults() {
        return new EmulatorOptions("127.0.0.1", 0, null);
    }

    public EmulatorOptions withPort(int port) {
        return new EmulatorOptions(host, port, apiKey);
    }

    public EmulatorOptions withApiKey(String apiKey) {
        return new EmulatorOptions(host, port, apiKey);
    }
}
