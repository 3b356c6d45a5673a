package dev.switchboard.emulator;

/** A function call the emulated model makes: the tool's name and its JSON arguments as text. */
public record ToolCall(String name, String arguments) {}
