package dev.switchboard.emulator;

/** {@code java -jar switchboard-emulator.jar [--host H] [--port N] [--api-key K]}: runs the emulator alone. */
public final class EmulatorMain {
    private EmulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        EmulatorOptions options = EmulatorOptions.defaults().withPort(8081);
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> options = options.withPort(Integer.parseInt(required(args[i], value)));
                case "--host" -> options = new EmulatorOptions(required(args[i], value), options.port(), options.apiKey());
                case "--api-key" -> options = options.withApiKey(required(args[i], value));
                case "--help", "-h" -> {
                    System.out.println("Usage: java -jar switchboard-emulator.jar [--host 127.0.0.1] [--port 8081] [--api-key KEY]");
                    return;
                }
                default -> {
                    System.err.println("Unknown option " + args[i] + ". Try --help.");
                    System.exit(2);
                }
            }
            i++;
        }
        Emulator emulator = Emulator.start(options);
        System.out.println("Switchboard OpenAI emulator listening on " + emulator.baseUrl()
                + (options.apiKey() == null ? " (any bearer key accepted)" : " (one API key accepted)"));
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close));
        Thread.currentThread().join();
    }

    private static String required(String option, String value) {
        if (value == null) {
            System.err.println(option + " needs a value.");
            System.exit(2);
        }
        return value;
    }
}
