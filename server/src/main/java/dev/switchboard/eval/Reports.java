package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What an evaluation run leaves: a table on the terminal, a JUnit XML file any CI reads, a self-contained HTML
 * report (no script, no external file) with each scenario's transcript, grades, latency and usage, and the JSON
 * the gateway stores for the admin page's trend.
 */
final class Reports {
    private Reports() {}

    /** The run as it is stored: the summary, and each scenario with its turns. */
    record Run(String source, String model, String judgeModel, Instant startedAt, long durationMs, List<ScenarioResult> results) {
        long passed() {
            return results.stream().filter(ScenarioResult::passed).count();
        }

        long failed() {
            return results.size() - passed();
        }
    }

    static void table(Run run, PrintStream out) {
        int width = Math.max(8, run.results().stream().mapToInt(r -> r.scenario().name().length()).max().orElse(8));
        String row = "%-" + width + "s  %-6s  %6s  %8s  %10s  %8s%n";
        out.printf(row, "Scenario", "Result", "Turns", "Checks", "Time (ms)", "Tokens");
        for (ScenarioResult result : run.results()) {
            out.printf(row, result.scenario().name(), result.passed() ? "pass" : "FAIL", result.turns().size(),
                    result.checksPassed() + "/" + result.checks(), result.durationMs(), result.tokens());
        }
        out.printf("%n%d scenarios: %d passed, %d failed, in %d ms.%n", run.results().size(), run.passed(), run.failed(),
                run.durationMs());
        for (ScenarioResult result : run.results()) {
            if (result.passed()) continue;
            out.println("\nFAIL " + result.scenario().name() + " (" + result.scenario().file() + ")");
            result.failures().forEach(failure -> out.println("  " + failure));
        }
    }

    static void junit(Run run, Path file) throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.append("<testsuites name=\"switchboard-eval\" tests=\"").append(run.results().size()).append("\" failures=\"")
                .append(run.failed()).append("\" time=\"").append(seconds(run.durationMs())).append("\">\n");
        xml.append("  <testsuite name=\"").append(xml(run.source())).append("\" tests=\"").append(run.results().size())
                .append("\" failures=\"").append(run.failed()).append("\" errors=\"0\" time=\"").append(seconds(run.durationMs()))
                .append("\" timestamp=\"").append(run.startedAt()).append("\">\n");
        for (ScenarioResult result : run.results()) {
            xml.append("    <testcase classname=\"").append(xml(classname(result))).append("\" name=\"")
                    .append(xml(result.scenario().name())).append("\" time=\"").append(seconds(result.durationMs())).append("\">\n");
            if (!result.passed()) {
                List<String> failures = result.failures();
                xml.append("      <failure message=\"").append(xml(failures.isEmpty() ? "failed" : failures.getFirst()))
                        .append("\" type=\"expectation\">").append(xml(String.join("\n", failures))).append("</failure>\n");
            }
            xml.append("      <system-out>").append(xml(transcript(result))).append("</system-out>\n");
            xml.append("    </testcase>\n");
        }
        xml.append("  </testsuite>\n</testsuites>\n");
        write(file, xml.toString());
    }

    static void html(Run run, Path file) throws IOException {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1"><title>Switchboard evaluation</title>
                <style>
                body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:70rem;padding:0 1rem;color:#1d232b}
                table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d5dbe3;vertical-align:top}
                th{background:#f5f7fa}.pass{color:#1a7f37;font-weight:600}.fail{color:#b3261e;font-weight:600}
                section{border:1px solid #d5dbe3;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
                .msg{white-space:pre-wrap;padding:.4rem .6rem;border-radius:6px;margin:.3rem 0}.user{background:#e8f0fe}.assistant{background:#f5f7fa}
                .tool{background:#fff4e5;font:13px ui-monospace,monospace}.muted{color:#5b6673}
                </style></head><body>
                """);
        html.append("<h1>Switchboard evaluation</h1><p>").append(esc(run.source())).append(" · model ").append(esc(run.model()))
                .append(" · judge ").append(esc(run.judgeModel())).append(" · ").append(esc(run.startedAt().toString())).append("</p>");
        html.append("<p class=\"").append(run.failed() == 0 ? "pass" : "fail").append("\">").append(run.passed()).append(" of ")
                .append(run.results().size()).append(" scenarios passed in ").append(run.durationMs()).append(" ms.</p>");
        html.append("<table><tr><th>Scenario</th><th>Result</th><th>Checks</th><th>Time (ms)</th><th>Tokens</th></tr>");
        for (ScenarioResult result : run.results()) {
            html.append("<tr><td><a href=\"#").append(anchor(result)).append("\">").append(esc(result.scenario().name())).append("</a></td><td class=\"")
                    .append(result.passed() ? "pass\">pass" : "fail\">fail").append("</td><td>").append(result.checksPassed()).append('/')
                    .append(result.checks()).append("</td><td>").append(result.durationMs()).append("</td><td>").append(result.tokens()).append("</td></tr>");
        }
        html.append("</table>");
        for (ScenarioResult result : run.results()) {
            html.append("<section id=\"").append(anchor(result)).append("\"><h2>").append(esc(result.scenario().name())).append(" <span class=\"")
                    .append(result.passed() ? "pass\">pass" : "fail\">fail").append("</span></h2><p class=\"muted\">")
                    .append(esc(String.valueOf(result.scenario().file()))).append(result.sessionId() == null ? "" : " · agent session " + esc(result.sessionId()))
                    .append("</p>");
            if (result.scenario().description() != null) html.append("<p>").append(esc(result.scenario().description())).append("</p>");
            if (result.error() != null) html.append("<p class=\"fail\">").append(esc(result.error())).append("</p>");
            int number = 0;
            for (ScenarioResult.TurnOutcome turn : result.turns()) {
                number++;
                TurnResult answer = turn.result();
                html.append("<h3>Turn ").append(number).append("</h3><div class=\"msg user\">").append(esc(turn.user())).append("</div>");
                for (JsonNode call : answer.toolCalls()) {
                    html.append("<div class=\"msg tool\">").append(esc(call.path("name").asText() + " " + Json.write(call.path("arguments"))))
                            .append(" → ").append(esc(call.has("error") ? "error: " + call.path("error").asText() : call.path("output").asText())).append("</div>");
                }
                html.append("<div class=\"msg assistant\">").append(esc(answer.text())).append("</div>");
                html.append("<p class=\"muted\">first token ").append(answer.firstTokenMs() < 0 ? "–" : answer.firstTokenMs() + " ms")
                        .append(" · total ").append(answer.durationMs()).append(" ms · ").append(answer.totalTokens()).append(" tokens · ")
                        .append(turn.attempts()).append(turn.attempts() == 1 ? " attempt" : " attempts").append("</p>");
                html.append("<table><tr><th>Check</th><th>Result</th><th>Detail</th></tr>");
                for (Grade grade : turn.grades()) {
                    html.append("<tr><td>").append(esc(grade.check())).append("</td><td class=\"").append(grade.passed() ? "pass\">pass" : "fail\">fail")
                            .append("</td><td>").append(esc(grade.detail())).append("</td></tr>");
                }
                html.append("</table>");
            }
            html.append("</section>");
        }
        html.append("</body></html>\n");
        write(file, html.toString());
    }

    /** The run as the gateway stores it ({@code POST /api/admin/eval-runs}). */
    static ObjectNode json(Run run) {
        ObjectNode body = Json.object().put("source", run.source()).put("model", run.model()).put("judge_model", run.judgeModel())
                .put("started_at", run.startedAt().toString()).put("duration_ms", run.durationMs());
        ArrayNode scenarios = body.putArray("scenarios");
        for (ScenarioResult result : run.results()) {
            ObjectNode scenario = scenarios.addObject().put("name", result.scenario().name()).put("file", String.valueOf(result.scenario().file()))
                    .put("passed", result.passed()).put("duration_ms", result.durationMs()).put("tokens", result.tokens())
                    .put("session_id", result.sessionId()).put("error", result.error());
            ArrayNode failures = scenario.putArray("failures");
            result.failures().forEach(failures::add);
            ArrayNode turns = scenario.putArray("turns");
            for (ScenarioResult.TurnOutcome turn : result.turns()) {
                ObjectNode one = turns.addObject().put("user", turn.user()).put("answer", turn.result().text())
                        .put("first_token_ms", turn.result().firstTokenMs()).put("duration_ms", turn.result().durationMs())
                        .put("tokens", turn.result().totalTokens()).put("attempts", turn.attempts());
                one.set("tool_calls", turn.result().toolCalls());
                ArrayNode grades = one.putArray("grades");
                turn.grades().forEach(g -> grades.addObject().put("check", g.check()).put("passed", g.passed()).put("detail", g.detail()));
            }
        }
        return body;
    }

    private static String transcript(ScenarioResult result) {
        StringBuilder text = new StringBuilder();
        for (ScenarioResult.TurnOutcome turn : result.turns()) {
            text.append("user: ").append(turn.user()).append('\n');
            for (JsonNode call : turn.result().toolCalls()) {
                text.append("tool: ").append(call.path("name").asText()).append(' ').append(Json.write(call.path("arguments"))).append('\n');
            }
            text.append("assistant: ").append(turn.result().text()).append("\n");
            for (Grade grade : turn.grades()) {
                text.append(grade.passed() ? "  pass  " : "  FAIL  ").append(grade.check()).append(" — ").append(grade.detail()).append('\n');
            }
        }
        return text.toString();
    }

    private static String classname(ScenarioResult result) {
        Path file = result.scenario().file();
        Path parent = file == null ? null : file.getParent();
        return "eval." + (parent == null ? "scenarios" : parent.getFileName().toString());
    }

    private static String anchor(ScenarioResult result) {
        return "s-" + result.scenario().name().replaceAll("[^A-Za-z0-9_-]", "-");
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** Text for XML: escaped, and without the control characters XML 1.0 cannot hold. */
    private static String xml(String text) {
        if (text == null) return "";
        return esc(text.replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "")).replace("\"", "&quot;");
    }

    private static String esc(String text) {
        if (text == null) return "";
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void write(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
