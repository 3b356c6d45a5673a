package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One evaluation scenario: a conversation with an agent, and what each of the agent's answers must satisfy.
 * The file format is documented in {@code evals/README.md} and {@code evals/scenario.schema.json}.
 *
 * @param documents files uploaded before the conversation, by name; {@code {{document:NAME}}} in a turn (or in its
 *                  emulator script) becomes the document's signed URL
 */
record Scenario(String name, Path file, String description, Agent agent, Map<String, Path> documents, List<Turn> turns) {

    /** The agent session the conversation is held with; null fields take the command's defaults. */
    record Agent(String model, String instructions, List<String> tools) {}

    /**
     * One user turn and the expectations on the answer to it.
     *
     * @param emulator what the built-in emulator answers (a script: text, tool calls) and scores as the judge, when
     *                 the evaluation runs offline; ignored against OpenAI
     */
    record Turn(String user, Path image, Expectations expect, JsonNode emulator) {}

    /** Checks on one answer; a null or empty field is not checked. */
    record Expectations(List<String> contains, List<String> notContains, String regex, JsonNode jsonSchema,
                        List<ToolExpectation> toolsCalled, Long maxLatencyMs, Long maxTokens, Rubric rubric) {}

    /** A tool the agent must have called in the turn, with (a subset of) these arguments when given. */
    record ToolExpectation(String name, JsonNode arguments) {}

    /** Graded by the judge model from 0 to 1; passes at {@code threshold} or above. */
    record Rubric(String criteria, double threshold) {}
}
