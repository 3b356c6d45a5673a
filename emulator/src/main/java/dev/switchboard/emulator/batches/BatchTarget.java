package dev.switchboard.emulator.batches;

import java.util.function.Supplier;

/** Where a batch's requests go: the emulator's origin ({@code http://host:port}, known once it listens) and a key it accepts. */
public record BatchTarget(Supplier<String> origin, String apiKey) {}
