package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Reads scenario files ({@code .yaml}, {@code .yml}, {@code .json}) under a path, checking each against the
 * format: every problem is reported with its file and place ({@code turns[1].expect.regex}), all at once, before
 * anything runs. Unknown keys are refused, so a misspelt expectation cannot pass silently.
 */
final class ScenarioLoader {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> SCENARIO_KEYS = Set.of("name", "description", "agent", "documents", "turns");
    private static final Set<String> AGENT_KEYS = Set.of("model", "instructions", "tools");
    private static final Set<String> TURN_KEYS = Set.of("user", "image", "expect", "emulator");
    private static final Set<String> EXPECT_KEYS = Set.of("contains", "not_contains", "regex", "json_schema", "tool_called",
            "max_latency_ms", "max_tokens", "rubric");
    private static final Set<String> EMULATOR_KEYS = Set.of("reply", "judge_score");

    /** Everything wrong with the scenarios, one line each. */
    static final class Invalid extends Exception {
        final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = problems;
        }
    }

    private final List<String> problems = new ArrayList<>();

    static List<Scenario> load(Path root) throws Invalid, IOException {
        ScenarioLoader loader = new ScenarioLoader();
        List<Path> files;
        if (Files.isRegularFile(root)) {
            files = List.of(root);
        } else if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile).filter(ScenarioLoader::isScenarioFile).sorted().toList();
            }
        } else {
            throw new Invalid(List.of(root + ": no such file or directory."));
        }
        if (files.isEmpty()) throw new Invalid(List.of(root + ": no scenario files (.yaml, .yml, .json) found."));
        List<Scenario> scenarios = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path file : files) {
            Scenario scenario = loader.read(file);
            if (scenario == null) continue;
            if (!names.add(scenario.name())) loader.problem(file, "name", "'" + scenario.name() + "' is also the name of another scenario.");
            scenarios.add(scenario);
        }
        if (!loader.problems.isEmpty()) throw new Invalid(loader.problems);
        return scenarios;
    }

    private static boolean isScenarioFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) && !name.endsWith(".schema.json");
    }

    private Scenario read(Path file) throws IOException {
        JsonNode node;
        try {
            node = file.toString().endsWith(".json") ? Json.MAPPER.readTree(file.toFile()) : YAML.readTree(file.toFile());
        } catch (IOException e) {
            problem(file, "", "not valid " + (file.toString().endsWith(".json") ? "JSON" : "YAML") + ": " + firstLine(e.getMessage()));
            return null;
        }
        if (node == null || !node.isObject()) {
            problem(file, "", "a scenario file holds one object with 'name' and 'turns'.");
            return null;
        }
        keys(file, "", node, SCENARIO_KEYS);
        String name = text(file, "name", node.get("name"), true);
        Scenario.Agent agent = agent(file, node.get("agent"));
        Map<String, Path> documents = documents(file, node.get("documents"));
        JsonNode turns = node.get("turns");
        List<Scenario.Turn> parsed = new ArrayList<>();
        if (turns == null || !turns.isArray() || turns.isEmpty()) {
            problem(file, "turns", "a non-empty list of turns is required.");
        } else {
            for (int i = 0; i < turns.size(); i++) parsed.add(turn(file, "turns[" + i + "]", turns.get(i)));
        }
        return new Scenario(name == null ? file.getFileName().toString() : name, file,
                text(file, "description", node.get("description"), false), agent, documents, parsed);
    }

    private Scenario.Agent agent(Path file, JsonNode node) {
        if (node == null || node.isNull()) return new Scenario.Agent(null, null, null);
        if (!node.isObject()) {
            problem(file, "agent", "must be an object with model, instructions, tools.");
            return new Scenario.Agent(null, null, null);
        }
        keys(file, "agent", node, AGENT_KEYS);
        return new Scenario.Agent(text(file, "agent.model", node.get("model"), false),
                text(file, "agent.instructions", node.get("instructions"), false), strings(file, "agent.tools", node.get("tools")));
    }

    private Map<String, Path> documents(Path file, JsonNode node) {
        Map<String, Path> documents = new LinkedHashMap<>();
        if (node == null || node.isNull()) return documents;
        if (!node.isObject()) {
            problem(file, "documents", "must map names to files: {receipt: files/receipt.png}.");
            return documents;
        }
        node.properties().forEach(entry -> {
            Path document = relative(file, "documents." + entry.getKey(), entry.getValue());
            if (document != null) documents.put(entry.getKey(), document);
        });
        return documents;
    }

    private Scenario.Turn turn(Path file, String at, JsonNode node) {
        if (node == null || !node.isObject()) {
            problem(file, at, "a turn is an object with 'user' and 'expect'.");
            return new Scenario.Turn("", null, emptyExpectations(), null);
        }
        keys(file, at, node, TURN_KEYS);
        String user = text(file, at + ".user", node.get("user"), true);
        Path image = node.hasNonNull("image") ? relative(file, at + ".image", node.get("image")) : null;
        JsonNode emulator = node.get("emulator");
        if (emulator != null && !emulator.isNull()) {
            if (!emulator.isObject()) problem(file, at + ".emulator", "must be an object with 'reply' and 'judge_score'.");
            else {
                keys(file, at + ".emulator", emulator, EMULATOR_KEYS);
                if (emulator.has("reply") && !emulator.get("reply").isObject()) {
                    problem(file, at + ".emulator.reply", "must be an emulator script: {text: ...} or {tool_calls: [...]}.");
                }
                if (emulator.has("judge_score")) unitInterval(file, at + ".emulator.judge_score", emulator.get("judge_score"));
            }
        }
        return new Scenario.Turn(user == null ? "" : user, image, expectations(file, at + ".expect", node.get("expect")), emulator);
    }

    private Scenario.Expectations expectations(Path file, String at, JsonNode node) {
        if (node == null || node.isNull()) return emptyExpectations();
        if (!node.isObject()) {
            problem(file, at, "must be an object of checks.");
            return emptyExpectations();
        }
        keys(file, at, node, EXPECT_KEYS);
        String regex = text(file, at + ".regex", node.get("regex"), false);
        if (regex != null) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                problem(file, at + ".regex", "not a valid regular expression: " + firstLine(e.getMessage()));
            }
        }
        JsonNode schema = node.get("json_schema");
        if (schema != null && !schema.isObject()) problem(file, at + ".json_schema", "must be a JSON schema object.");
        return new Scenario.Expectations(strings(file, at + ".contains", node.get("contains")),
                strings(file, at + ".not_contains", node.get("not_contains")), regex,
                schema != null && schema.isObject() ? schema : null, tools(file, at + ".tool_called", node.get("tool_called")),
                positive(file, at + ".max_latency_ms", node.get("max_latency_ms")),
                positive(file, at + ".max_tokens", node.get("max_tokens")), rubric(file, at + ".rubric", node.get("rubric")));
    }

    private List<Scenario.ToolExpectation> tools(Path file, String at, JsonNode node) {
        List<Scenario.ToolExpectation> tools = new ArrayList<>();
        if (node == null || node.isNull()) return tools;
        for (JsonNode one : node.isArray() ? node : Json.MAPPER.createArrayNode().add(node)) {
            if (one.isTextual()) {
                tools.add(new Scenario.ToolExpectation(one.asText(), null));
            } else if (one.isObject() && one.path("name").isTextual()) {
                JsonNode arguments = one.get("arguments");
                if (arguments != null && !arguments.isObject()) problem(file, at + ".arguments", "must be an object.");
                tools.add(new Scenario.ToolExpectation(one.get("name").asText(), arguments));
            } else {
                problem(file, at, "a tool name, or {name, arguments}, or a list of those.");
            }
        }
        return tools;
    }

    private Scenario.Rubric rubric(Path file, String at, JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return new Scenario.Rubric(node.asText(), 0.7);
        if (!node.isObject() || !node.path("criteria").isTextual()) {
            problem(file, at, "a rubric is text, or {criteria, threshold}.");
            return null;
        }
        double threshold = 0.7;
        if (node.has("threshold")) threshold = unitInterval(file, at + ".threshold", node.get("threshold"));
        return new Scenario.Rubric(node.get("criteria").asText(), threshold);
    }

    private double unitInterval(Path file, String at, JsonNode node) {
        if (!node.isNumber() || node.asDouble() < 0 || node.asDouble() > 1) problem(file, at, "must be a number from 0 to 1.");
        return node.asDouble();
    }

    private Long positive(Path file, String at, JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() <= 0) {
            problem(file, at, "must be a positive whole number.");
            return null;
        }
        return node.asLong();
    }

    private List<String> strings(Path file, String at, JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) return values;
        for (JsonNode one : node.isArray() ? node : Json.MAPPER.createArrayNode().add(node)) {
            if (one.isTextual()) values.add(one.asText());
            else problem(file, at, "must be text or a list of texts.");
        }
        return values;
    }

    private String text(Path file, String at, JsonNode node, boolean required) {
        if (node == null || node.isNull()) {
            if (required) problem(file, at, "is required.");
            return null;
        }
        if (!node.isTextual() || (required && node.asText().isBlank())) {
            problem(file, at, "must be " + (required ? "non-empty " : "") + "text.");
            return null;
        }
        return node.asText();
    }

    private Path relative(Path file, String at, JsonNode node) {
        if (node == null || !node.isTextual()) {
            problem(file, at, "must be a file path, relative to the scenario file.");
            return null;
        }
        Path resolved = file.toAbsolutePath().getParent().resolve(node.asText()).normalize();
        if (!Files.isRegularFile(resolved)) {
            problem(file, at, "'" + node.asText() + "' is not a file (looked for " + resolved + ").");
            return null;
        }
        return resolved;
    }

    private void keys(Path file, String at, JsonNode node, Set<String> allowed) {
        node.fieldNames().forEachRemaining(key -> {
            if (!allowed.contains(key)) {
                problem(file, at.isEmpty() ? key : at + "." + key, "unknown key; expected one of " + new java.util.TreeSet<>(allowed) + ".");
            }
        });
    }

    private void problem(Path file, String at, String message) {
        problems.add(file + (at.isEmpty() ? "" : " " + at) + ": " + message);
    }

    private static Scenario.Expectations emptyExpectations() {
        return new Scenario.Expectations(List.of(), List.of(), null, null, List.of(), null, null, null);
    }

    private static String firstLine(String message) {
        if (message == null) return "unreadable";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
