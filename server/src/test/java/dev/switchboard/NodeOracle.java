package dev.switchboard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official OpenAI Node SDK as a client oracle: the scripts in {@code src/test/resources/node-oracle}, with
 * their pinned packages installed once into {@code target/node-oracle}.
 */
public final class NodeOracle {
    private static final Path DIR = Path.of("target", "node-oracle").toAbsolutePath();
    private static final List<String> FILES = List.of("package.json", "realtime-text-turn.js", "assistants-tool-round.js", "whole-api.js");

    private NodeOracle() {}

    /** What a script printed, and how it ended. */
    public record Run(int exitCode, String stdout, String stderr) {}

    public static synchronized Path install() throws IOException, InterruptedException {
        Files.createDirectories(DIR);
        for (String file : FILES) {
            try (InputStream in = NodeOracle.class.getResourceAsStream("/node-oracle/" + file)) {
                Files.copy(in, DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.isDirectory(DIR.resolve("node_modules/openai"))) {
            Run npm = run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), Map.of(), 300);
            if (npm.exitCode() != 0) throw new IllegalStateException("npm install failed: " + npm.stderr());
        }
        return DIR;
    }

    /** Runs {@code node script args...} in the oracle's directory with extra environment variables. */
    public static Run node(String script, List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        install();
        List<String> command = new java.util.ArrayList<>(List.of("node", script));
        command.addAll(args);
        return run(command, env, 60);
    }

    private static Run run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile());
        builder.environment().putAll(env);
        Path out = Files.createTempFile("node-oracle", ".out");
        Path err = Files.createTempFile("node-oracle", ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
