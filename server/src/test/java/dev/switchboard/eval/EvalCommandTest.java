package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * {@code switchboard eval} end to end, offline: a gateway started for the run, the built-in emulator playing the
 * agent's model and the judge from the scenarios' emulator blocks, turns through the agent stream, reports written
 * and the run stored.
 */
class EvalCommandTest {
    @TempDir
    Path temp;

    @Test
    void theStarterPackPassesOfflineWithReportsAndAStoredRun() throws Exception {
        Path junit = temp.resolve("junit.xml");
        Path html = temp.resolve("report.html");
        Run run = eval("../evals", "--junit", junit.toString(), "--html", html.toString(), "--concurrency", "3");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("Evaluating offline", "9 scenarios: 9 passed, 0 failed", "PASS vision-ocr-receipt-total",
                "PASS redteam-injection-through-tool-output", "Stored as evalrun_");

        Document report = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
        Element suites = report.getDocumentElement();
        assertThat(suites.getAttribute("tests")).isEqualTo("9");
        assertThat(suites.getAttribute("failures")).isEqualTo("0");
        assertThat(report.getElementsByTagName("testcase").getLength()).isEqualTo(9);

        String page = Files.readString(html);
        assertThat(page).contains("9 of 9 scenarios passed", "conversation-memory", "called document.vision_ocr",
                "score 0.9", "TOTAL 42.00").doesNotContain("<script");

        String runId = run.out().replaceAll("(?s).*Stored as (evalrun_\\w+).*", "$1");
        Map<String, Object> stored = jdbi().withHandle(h -> h.createQuery("select total, passed, failed from eval_runs where id = :id")
                .bind("id", runId).mapToMap().one());
        assertThat(stored).containsEntry("total", 9).containsEntry("passed", 9).containsEntry("failed", 0);
        long results = jdbi().withHandle(h -> h.createQuery("select count(*) from eval_results where run_id = :id")
                .bind("id", runId).mapTo(Long.class).one());
        assertThat(results).isEqualTo(9);
    }

    @Test
    void aFailingScenarioFailsTheCommandAndSaysWhy() throws Exception {
        Files.writeString(temp.resolve("fruit.yaml"), """
                name: fruit-preference
                turns:
                  - user: Name a fruit you like.
                    expect:
                      contains: [banana]
                      max_tokens: 100000
                """);
        // The upstream keeps answering 429: the turn is tried again, then fails saying why.
        Files.writeString(temp.resolve("busy.yaml"), """
                name: always-rate-limited
                turns:
                  - user: Are you too busy to answer?
                    emulator:
                      reply: {fail_status: 429}
                """);
        Path junit = temp.resolve("out/junit.xml");
        Run run = eval(temp.toString(), "--junit", junit.toString(), "--html", temp.resolve("out/report.html").toString(),
                "--retries", "1");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL fruit-preference", "FAIL always-rate-limited", "2 scenarios: 0 passed, 2 failed",
                "turn 1: contains \"banana\" — not in the answer", "turn 1: completed — rate_limited");
        assertThat(Files.readString(temp.resolve("out/report.html"))).contains("2 attempts");
        String xml = Files.readString(junit);
        assertThat(xml).contains("failures=\"2\"", "<failure message=\"turn 1: contains &quot;banana&quot;");
    }

    @Test
    void badScenariosAreRefusedBeforeAnythingRuns() throws Exception {
        Files.writeString(temp.resolve("typo.yaml"), """
                name: typo
                turns:
                  - user: hello
                    expect:
                      contain: [hello]
                      regex: "(unclosed"
                """);
        Run run = eval(temp.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("typo.yaml turns[0].expect.contain: unknown key", "turns[0].expect.regex: not a valid regular expression");
        assertThat(eval(temp.resolve("missing").toString()).err()).contains("no such file or directory");
        assertThat(eval().exit()).isEqualTo(2);
    }

    @Test
    void everyScenarioOfThePackFollowsThePublishedSchema() throws Exception {
        var registry = com.networknt.schema.SchemaRegistry.withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_2020_12);
        var schema = registry.getSchema(Files.readString(Path.of("../evals/scenario.schema.json")), com.networknt.schema.InputFormat.JSON);
        var yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
        List<Path> files;
        try (var walk = Files.walk(Path.of("../evals"))) {
            files = walk.filter(f -> f.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).hasSize(9);
        for (Path file : files) {
            String json = dev.switchboard.web.Json.write(yaml.readTree(file.toFile()));
            assertThat(schema.validate(json, com.networknt.schema.InputFormat.JSON)).as(file.toString()).isEmpty();
        }
        assertThat(schema.validate("{\"name\":\"x\",\"turns\":[{\"user\":\"hi\",\"expect\":{\"contain\":[\"a\"]}}]}",
                com.networknt.schema.InputFormat.JSON)).isNotEmpty();
    }

    private Run eval(String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", TestDatabase.sharedUrl());
        env.put("SWITCHBOARD_DATA_DIR", temp.resolve("data").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] command = new String[args.length + 1];
        command[0] = "eval";
        System.arraycopy(args, 0, command, 1, args.length);
        int exit = dev.switchboard.MainAccess.run(command, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Jdbi jdbi() {
        return Jdbi.create(TestDatabase.sharedUrl());
    }

    record Run(int exit, String out, String err) {}
}
