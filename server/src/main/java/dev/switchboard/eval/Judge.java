package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Grades an answer against a rubric with a judge model, through the gateway's Chat Completions like any client:
 * the model is asked for {@code {"score": 0..1, "reason"}} and the grade passes at the rubric's threshold. A judge
 * that does not answer in that shape fails the grade, saying what it answered.
 */
final class Judge {
    static final String INSTRUCTIONS = """
            You grade one answer of an AI assistant against a rubric. Read the conversation, the answer and the \
            rubric. Reply with one JSON object only: {"score": a number from 0 (fails the rubric entirely) to 1 \
            (meets it fully), "reason": one sentence}.""";

    private final GatewayClient gateway;
    private final String model;

    Judge(GatewayClient gateway, String model) {
        this.gateway = gateway;
        this.model = model;
    }

    String model() {
        return model;
    }

    Grade grade(Scenario.Rubric rubric, List<Map.Entry<String, String>> conversation, String answer) {
        String check = "rubric (" + rubric.threshold() + "): " + rubric.criteria();
        StringBuilder prompt = new StringBuilder("Rubric: ").append(rubric.criteria()).append("\n\nConversation:\n");
        for (Map.Entry<String, String> message : conversation) {
            prompt.append(message.getKey()).append(": ").append(message.getValue()).append('\n');
        }
        prompt.append("\nAnswer to grade:\n").append(answer);
        ObjectNode body = Json.object().put("model", model);
        body.putArray("messages").add(Json.object().put("role", "system").put("content", INSTRUCTIONS))
                .add(Json.object().put("role", "user").put("content", prompt.toString()));
        body.putObject("response_format").put("type", "json_object");
        String reply;
        try {
            reply = gateway.chat(body).path("choices").path(0).path("message").path("content").asText("");
        } catch (IOException e) {
            return Grade.fail(check, "the judge could not be asked: " + e.getMessage());
        }
        JsonNode verdict;
        try {
            verdict = Json.MAPPER.readTree(Grader.stripFence(reply));
        } catch (IOException e) {
            verdict = null;
        }
        if (verdict == null || !verdict.path("score").isNumber()) {
            return Grade.fail(check, "the judge did not answer with a score: " + abbreviate(reply));
        }
        double score = verdict.path("score").asDouble();
        return new Grade(check, score >= rubric.threshold(), "score " + score + ": " + verdict.path("reason").asText(""));
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
