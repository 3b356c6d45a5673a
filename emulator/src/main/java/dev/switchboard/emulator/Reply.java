package dev.switchboard.emulator;

import java.util.ArrayList;
import java.util.List;

/**
 * What the emulated model answers: a function call, or text cut into tokens. Deterministic: the same script and
 * input always give the same reply.
 */
public record Reply(List<String> tokens, ToolCall toolCall, int inputTokens) {
    private static final String[] FILLER = ("Switchboard relays every stream faithfully instantly and resumably "
            + "while the emulator answers offline with deterministic tokens").split(" ");

    public static Reply plan(Script script, String lastUserText, String toolOutput, int inputTokens) {
        if (script.toolCall() != null && toolOutput == null) {
            List<String> preamble = script.text() == null ? List.of() : tokenize(script.text());
            return new Reply(preamble, script.toolCall(), inputTokens);
        }
        String text;
        if (script.text() != null) text = script.text();
        else if (script.tokens() != null) text = filler(script.tokens());
        else if (toolOutput != null) text = "The tool returned: " + toolOutput;
        else if (lastUserText == null || lastUserText.isBlank()) text = "Hello from the Switchboard emulator.";
        else text = "Echo: " + lastUserText;
        return new Reply(tokenize(text), null, inputTokens);
    }

    public String text() {
        return String.join("", tokens);
    }

    public int outputTokens() {
        int fromCall = toolCall == null ? 0 : Math.max(1, countWords(toolCall.arguments()));
        return tokens.size() + fromCall;
    }

    /** Splits before each run of whitespace, so that the tokens concatenate back to the exact text. */
    public static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
                tokens.add(text.substring(start, i));
                start = i;
            }
        }
        if (start < text.length()) tokens.add(text.substring(start));
        return tokens;
    }

    public static int countWords(String text) {
        if (text == null || text.isBlank()) return 0;
        return text.trim().split("\\s+").length;
    }

    /** Splits a tool call's arguments into a few pieces, as the model streams them. */
    public static List<String> argumentPieces(String arguments) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < arguments.length(); i += 8) pieces.add(arguments.substring(i, Math.min(arguments.length(), i + 8)));
        if (pieces.isEmpty()) pieces.add("");
        return pieces;
    }

    private static String filler(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) text.append(' ');
            text.append(FILLER[i % FILLER.length]);
        }
        return text.toString();
    }
}
