package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks one answer against its turn's expectations: text (contains, does not contain, regular expression, JSON
 * schema), tools called with their arguments, latency and tokens, and the judge's score for a rubric. Text checks
 * ignore case, as a reader would.
 */
final class Grader {
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final Judge judge;

    Grader(Judge judge) {
        this.judge = judge;
    }

    List<Grade> grade(Scenario.Turn turn, List<Map.Entry<String, String>> conversation, TurnResult result) {
        List<Grade> grades = new ArrayList<>();
        if (result.error() != null) grades.add(Grade.fail("completed", result.error()));
        Scenario.Expectations expect = turn.expect();
        String text = result.text();
        String lower = text.toLowerCase(Locale.ROOT);
        for (String needle : expect.contains()) {
            boolean found = lower.contains(needle.toLowerCase(Locale.ROOT));
            grades.add(new Grade("contains \"" + needle + "\"", found, found ? "found" : "not in the answer"));
        }
        for (String needle : expect.notContains()) {
            boolean found = lower.contains(needle.toLowerCase(Locale.ROOT));
            grades.add(new Grade("does not contain \"" + needle + "\"", !found, found ? "found in the answer" : "absent"));
        }
        if (expect.regex() != null) {
            boolean matches = Pattern.compile(expect.regex(), Pattern.CASE_INSENSITIVE).matcher(text).find();
            grades.add(new Grade("matches /" + expect.regex() + "/", matches, matches ? "matched" : "no match"));
        }
        if (expect.jsonSchema() != null) grades.add(schema(expect.jsonSchema(), text));
        for (Scenario.ToolExpectation tool : expect.toolsCalled()) grades.add(toolCalled(tool, result));
        if (expect.maxLatencyMs() != null) {
            grades.add(new Grade("within " + expect.maxLatencyMs() + " ms", result.durationMs() <= expect.maxLatencyMs(),
                    result.durationMs() + " ms"));
        }
        if (expect.maxTokens() != null) {
            grades.add(new Grade("at most " + expect.maxTokens() + " tokens", result.totalTokens() <= expect.maxTokens(),
                    result.totalTokens() + " tokens"));
        }
        if (expect.rubric() != null) grades.add(judge.grade(expect.rubric(), conversation, text));
        return grades;
    }

    private static Grade schema(JsonNode schemaNode, String text) {
        String check = "output matches the JSON schema";
        JsonNode output;
        try {
            output = Json.MAPPER.readTree(stripFence(text));
        } catch (IOException e) {
            return Grade.fail(check, "the answer is not JSON");
        }
        if (output == null || output.isMissingNode()) return Grade.fail(check, "the answer is empty");
        // Passed as text: the validator reads JSON with its own Jackson.
        List<Error> problems = SCHEMAS.getSchema(Json.write(schemaNode), InputFormat.JSON).validate(Json.write(output), InputFormat.JSON);
        if (problems.isEmpty()) return Grade.pass(check, "valid");
        return Grade.fail(check, String.join("; ", problems.stream().map(Error::getMessage).sorted().toList()));
    }

    /** The JSON inside a ```json fence, as models often wrap it; the text itself otherwise. */
    static String stripFence(String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("```")) {
            int open = trimmed.indexOf('\n');
            int close = trimmed.lastIndexOf("```");
            if (open > 0 && close > open) return trimmed.substring(open + 1, close).strip();
        }
        return trimmed;
    }

    private static Grade toolCalled(Scenario.ToolExpectation expected, TurnResult result) {
        String check = "called " + expected.name();
        List<String> seen = new ArrayList<>();
        for (JsonNode call : result.toolCalls()) {
            seen.add(call.path("name").asText() + Json.write(call.path("arguments")));
            if (!call.path("name").asText().equals(expected.name())) continue;
            if (expected.arguments() == null || includes(call.path("arguments"), expected.arguments())) {
                return Grade.pass(check, Json.write(call.path("arguments")));
            }
        }
        String wanted = expected.arguments() == null ? "" : " with " + Json.write(expected.arguments());
        return Grade.fail(check + wanted, seen.isEmpty() ? "no tool was called" : "called " + String.join(", ", seen));
    }

    /** Whether {@code actual} has every field of {@code expected}, equal (objects compared the same way). */
    private static boolean includes(JsonNode actual, JsonNode expected) {
        if (expected.isObject()) {
            if (!actual.isObject()) return false;
            var fields = expected.properties().iterator();
            while (fields.hasNext()) {
                var field = fields.next();
                if (!actual.has(field.getKey()) || !includes(actual.get(field.getKey()), field.getValue())) return false;
            }
            return true;
        }
        return actual.equals(expected) || (actual.isNumber() && expected.isNumber() && actual.asDouble() == expected.asDouble());
    }
}
