package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.Emulator;
import dev.switchboard.web.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs scenarios: each in an agent session of its own, turn after turn through the gateway's agent stream, graded
 * as it goes; up to {@code concurrency} scenarios at once; a turn the upstream refused for the moment (429, 5xx)
 * is tried again with a growing pause. Progress is shown as scenarios finish. With the built-in emulator as the
 * upstream, each turn's {@code emulator} block is registered with it first, so the run is deterministic offline.
 */
final class EvalRunner {
    /** Defaults for what a scenario's {@code agent} leaves out. */
    record Defaults(String model, String instructions, List<String> tools) {}

    private final GatewayClient gateway;
    private final Grader grader;
    private final Judge judge;
    private final Defaults defaults;
    private final int concurrency;
    private final int retries;
    private final Duration turnLimit;
    private final Optional<Emulator> emulator;
    private final Progress progress;

    EvalRunner(GatewayClient gateway, Judge judge, Defaults defaults, int concurrency, int retries, Duration turnLimit,
               Optional<Emulator> emulator, PrintStream out) {
        this.gateway = gateway;
        this.judge = judge;
        this.grader = new Grader(judge);
        this.defaults = defaults;
        this.concurrency = concurrency;
        this.retries = retries;
        this.turnLimit = turnLimit;
        this.emulator = emulator;
        this.progress = new Progress(out);
    }

    List<ScenarioResult> run(List<Scenario> scenarios) throws InterruptedException {
        progress.start(scenarios.size());
        List<Future<ScenarioResult>> running = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofVirtual().name("eval-", 0).factory())) {
            for (Scenario scenario : scenarios) running.add(pool.submit(() -> progress.finished(runOne(scenario))));
        }
        List<ScenarioResult> results = new ArrayList<>();
        for (Future<ScenarioResult> future : running) {
            try {
                results.add(future.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("A scenario failed inside the runner", e.getCause());
            }
        }
        progress.done();
        return results;
    }

    private ScenarioResult runOne(Scenario scenario) {
        long started = System.nanoTime();
        List<ScenarioResult.TurnOutcome> outcomes = new ArrayList<>();
        String sessionId = null;
        try {
            Map<String, String> documents = new HashMap<>();
            for (var document : scenario.documents().entrySet()) documents.put(document.getKey(), gateway.upload(document.getValue()));
            emulator.ifPresent(e -> emulate(e, scenario, documents));
            Scenario.Agent agent = scenario.agent();
            sessionId = gateway.createSession("eval: " + scenario.name(),
                    agent.model() != null ? agent.model() : defaults.model(),
                    agent.instructions() != null ? agent.instructions() : defaults.instructions(),
                    agent.tools() != null ? agent.tools() : defaults.tools());
            List<Map.Entry<String, String>> conversation = new ArrayList<>();
            for (Scenario.Turn turn : scenario.turns()) {
                String user = fill(turn.user(), documents);
                TurnResult result = null;
                int attempts = 0;
                while (attempts <= retries) {
                    attempts++;
                    result = gateway.turn(sessionId, input(user, turn.image()), turnLimit);
                    if (!result.retryable() || attempts > retries) break;
                    Thread.sleep(Math.min(30_000, 1000L << (attempts - 1)));
                }
                conversation.add(Map.entry("user", user));
                List<Grade> grades = grader.grade(turn, conversation, result);
                conversation.add(Map.entry("assistant", result.text()));
                outcomes.add(new ScenarioResult.TurnOutcome(user, result, grades, attempts));
                if (result.error() != null) break;
            }
            return new ScenarioResult(scenario, sessionId, outcomes, null, millis(started));
        } catch (IOException e) {
            return new ScenarioResult(scenario, sessionId, outcomes, "could not run: " + e.getMessage(), millis(started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ScenarioResult(scenario, sessionId, outcomes, "interrupted", millis(started));
        }
    }

    /** The emulator plays each turn's reply, and the judge's score for its rubric. */
    private void emulate(Emulator emulator, Scenario scenario, Map<String, String> documents) {
        for (Scenario.Turn turn : scenario.turns()) {
            JsonNode block = turn.emulator();
            if (block == null || block.isNull()) continue;
            if (block.has("reply")) emulator.scriptWhen("*", fill(turn.user(), documents), fill(Json.write(block.get("reply")), documents));
            if (block.has("judge_score") && turn.expect().rubric() != null) {
                ObjectNode verdict = Json.object().put("score", block.get("judge_score").asDouble()).put("reason", "scored by the emulator");
                emulator.scriptWhen(judge.model(), turn.expect().rubric().criteria(),
                        Json.write(Json.object().put("text", Json.write(verdict))));
            }
        }
    }

    private static JsonNode input(String user, Path image) throws IOException {
        if (image == null) return Json.MAPPER.getNodeFactory().textNode(user);
        ArrayNode parts = Json.MAPPER.createArrayNode();
        parts.addObject().put("type", "text").put("text", user);
        String type = Files.probeContentType(image);
        String url = "data:" + (type == null ? "image/png" : type) + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(image));
        parts.addObject().put("type", "image_url").put("image_url", url);
        return parts;
    }

    /** {@code {{document:NAME}}} becomes the document's signed URL. */
    private static String fill(String text, Map<String, String> documents) {
        String filled = text;
        for (var document : documents.entrySet()) filled = filled.replace("{{document:" + document.getKey() + "}}", document.getValue());
        return filled;
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** Scenarios finishing, and a bar with the pass and fail counts so far. */
    private static final class Progress {
        private final PrintStream out;
        private final boolean terminal = System.console() != null;
        private int total;
        private int passed;
        private int failed;

        Progress(PrintStream out) {
            this.out = out;
        }

        synchronized void start(int total) {
            this.total = total;
            if (terminal) bar();
            else out.println("Running " + total + " scenarios…");
        }

        synchronized ScenarioResult finished(ScenarioResult result) {
            if (result.passed()) passed++;
            else failed++;
            String line = (result.passed() ? "PASS " : "FAIL ") + result.scenario().name() + " (" + result.durationMs() + " ms)";
            if (terminal) {
                out.print("\r\033[K" + line + "\n");
                bar();
            } else {
                // Logs are read top to bottom: the counts go with each line instead of a redrawn bar.
                out.println(line + "  [" + counts() + "]");
            }
            return result;
        }

        synchronized void done() {
            if (terminal) out.println();
        }

        private void bar() {
            int width = 30;
            int filled = total == 0 ? width : (passed + failed) * width / total;
            out.print("\r\033[K[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + counts());
            out.flush();
        }

        private String counts() {
            return (passed + failed) + "/" + total + " · " + passed + " passed · " + failed + " failed";
        }
    }
}
