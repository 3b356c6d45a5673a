package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a request's {@code tool_choice} lets the emulated model do with its {@code tools}, as OpenAI's models obey
 * it: {@code "none"} never calls, {@code "required"} (or {@code allowed_tools} in mode required) always calls one
 * of the tools, a named function always calls that function, and {@code "auto"} (the default) leaves it to the
 * script. A forced call the script does not already make gets arguments a {@link SchemaInstance} draws from the
 * tool's JSON schema. One reading for every API: Responses and Realtime name a function as
 * {@code {"type":"function","name":...}}, Chat Completions as {@code {"type":"function","function":{"name":...}}},
 * and tools are read in both shapes.
 */
public final class ToolChoice {
    private enum Mode { AUTO, NONE, FORCED }

    private record Function(String name, JsonNode parameters) {}

    private final Mode mode;
    /** The functions a forced call may name, in the order the request lists them. */
    private final List<Function> allowed;

    private ToolChoice(Mode mode, List<Function> allowed) {
        this.mode = mode;
        this.allowed = allowed;
    }

    public static ToolChoice read(JsonNode choice, JsonNode tools) {
        List<Function> functions = functions(tools);
        if (choice == null || choice.isMissingNode() || choice.isNull()) return new ToolChoice(Mode.AUTO, functions);
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> new ToolChoice(Mode.NONE, List.of());
                case "required" -> new ToolChoice(functions.isEmpty() ? Mode.AUTO : Mode.FORCED, functions);
                default -> new ToolChoice(Mode.AUTO, functions);
            };
        }
        String type = choice.path("type").asText("");
        if (type.equals("function")) {
            String name = choice.hasNonNull("name") ? choice.get("name").asText() : choice.path("function").path("name").asText("");
            List<Function> named = functions.stream().filter(f -> f.name().equals(name)).toList();
            return new ToolChoice(Mode.FORCED, named.isEmpty() ? List.of(new Function(name, null)) : named);
        }
        if (type.equals("allowed_tools")) {
            List<Function> subset = functions(choice.path("tools")).stream()
                    .map(f -> functions.stream().filter(known -> known.name().equals(f.name())).findFirst().orElse(f)).toList();
            boolean required = choice.path("mode").asText("auto").equals("required");
            return new ToolChoice(required && !subset.isEmpty() ? Mode.FORCED : Mode.AUTO, subset);
        }
        return new ToolChoice(Mode.AUTO, functions);
    }

    /** Whether the model must call a function whatever the input holds, tool outputs included. */
    public boolean forced() {
        return mode == Mode.FORCED;
    }

    /**
     * The script as this choice lets it play: calls removed for "none", a call added or renamed when forced, and
     * for "auto" with nothing scripted, the model's own judgement played deterministically: it calls a function
     * whose name the user's last message mentions ("weather" for {@code get_weather}), as a model asked about the
     * weather with a weather tool at hand would, and answers in text once the call's output is back.
     */
    public Script apply(Script script, String lastUserText) {
        return switch (mode) {
            case AUTO -> unscripted(script) ? mentioned(lastUserText).map(function -> script.withToolCall(
                    new ToolCall(function.name(), SchemaInstance.arguments(function.parameters())))).orElse(script) : script;
            case NONE -> script.withoutToolCalls();
            case FORCED -> {
                if (script.toolCall() != null && allows(script.toolCall().name())) yield script;
                // A scripted chain of calls plays on when every call in it is allowed.
                if (!script.toolCalls().isEmpty() && script.toolCalls().stream().allMatch(call -> allows(call.name()))) {
                    yield script;
                }
                Function function = allowed.getFirst();
                yield script.withToolCall(new ToolCall(function.name(), SchemaInstance.arguments(function.parameters())));
            }
        };
    }

    private static boolean unscripted(Script script) {
        return script.text() == null && script.tokens() == null && script.toolCall() == null && script.toolCalls().isEmpty()
                && script.replay() == null && script.failStatus() == null;
    }

    /** The first function one of whose name's words (four letters or more, split at _ . - and case) the text says. */
    private Optional<Function> mentioned(String text) {
        if (text == null || text.isBlank()) return Optional.empty();
        Set<String> said = new HashSet<>(List.of(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")));
        for (Function function : allowed) {
            for (String word : function.name().split("[_.\\-]+|(?<=[a-z])(?=[A-Z])")) {
                String lower = word.toLowerCase(Locale.ROOT);
                if (lower.length() >= 4 && !GENERIC.contains(lower) && said.contains(lower)) return Optional.of(function);
            }
        }
        return Optional.empty();
    }

    /** Words in function names that say nothing of what the function is about. */
    private static final Set<String> GENERIC = Set.of("tool", "tools", "call", "fetch", "list", "make",
            "find", "data", "info", "from", "with", "into", "create", "update", "delete", "read", "write", "send", "lookup");

    private boolean allows(String name) {
        return allowed.stream().anyMatch(f -> f.name().equals(name));
    }

    private static List<Function> functions(JsonNode tools) {
        List<Function> functions = new ArrayList<>();
        if (tools == null) return functions;
        for (JsonNode tool : tools) {
            if (!tool.path("type").asText("function").equals("function")) continue;
            JsonNode function = tool.has("function") ? tool.get("function") : tool;
            if (!function.hasNonNull("name")) continue;
            functions.add(new Function(function.get("name").asText(), function.get("parameters")));
        }
        return functions;
    }
}
